#!/bin/sh
# Guest side of `make run`: load strclone and run the demo against /dev/clone-ptmx.
dir=/opt/strclone
insmod $dir/strclone.ko || { echo "insmod strclone.ko failed"; exit 1; }
echo "STRCLONE-DEMO-BEGIN"
echo "# insmod strclone.ko: ok"
ls -l /dev/clone-ptmx
$dir/bin/clone_ptmx_demo
rc=$?
echo "STRCLONE-DEMO-END"
rmmod strclone || { echo "rmmod strclone failed"; exit 1; }
exit $rc
