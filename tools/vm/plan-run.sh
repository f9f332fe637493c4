#!/bin/sh
# Guest side of `make run`: load strclone and run the demo against /dev/clone-ptmx.
dir=/opt/strclone
insmod $dir/strclone.ko || { echo "insmod strclone.ko failed"; exit 1; }
echo "STRCLONE-DEMO-BEGIN"
echo "# insmod strclone.ko: ok"
ls -l /dev/clone-ptmx
$dir/bin/clone_ptmx_demo
rc=$?
echo "# the log: a reader registers for console messages, a writer writes /dev/conslog"
$dir/bin/strlog -c -n 1 -r /tmp/strlog.ready > /tmp/strlog.out 2>&1 &
reader=$!
for i in 1 2 3 4 5 6 7 8 9 10; do [ -e /tmp/strlog.ready ] && break; sleep 0.2; done
echo "hello from conslog" > /dev/conslog || rc=1
wait $reader || rc=1
echo "strlog -c printed: $(cat /tmp/strlog.out)"
grep -q "hello from conslog" /tmp/strlog.out || rc=1
echo "STRCLONE-DEMO-END"
rmmod strclone || { echo "rmmod strclone failed"; exit 1; }
exit $rc
