#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Host-side checks of libstrclone (`make -C tools/lib/strclone test`, run by
# `make check` before the VM boots). What the functions do is tested in the
# VM (tools/testing/selftests/strclone/libstrclone.c); this checks how the
# library is built, linked and installed:
#   1. libstrclone.so exports exactly the API and nothing else, has its
#      soname and needs only libc;
#   2. libstrclone.a defines no global names outside the API and the
#      reserved __ names (namespace cleanliness for static programs);
#   3. a static program calling ptsname() and openpty() links: libc.a's
#      ptsname.o must not be pulled in next to ours (multiple definition);
#   4. a program built with _FORTIFY_SOURCE=2 whose ptsname_r() becomes
#      __ptsname_r_chk links to the library's __ptsname_r_chk, statically
#      and dynamically;
#   5. `make install` honours PREFIX and DESTDIR, and a program including
#      <stropts.h> builds with `pkg-config --cflags --libs strclone` from
#      the installed tree (static and shared) and runs; a C++ program
#      including it links (the declarations are extern "C").
set -eu
: "${OUTPUT:?}" "${CC:?}" "${UAPI:?}" "${SONAME:?}" "${API:?}"
here=$(cd "$(dirname "$0")" && pwd)
lib=$(cd "$here/.." && pwd)
t=$OUTPUT/test
rm -rf "$t"
mkdir -p "$t"
fails=0
pass() { echo "ok: $*"; }
fail() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }
sorted() { printf '%s\n' "$@" | sort; }

# 1.
got=$(nm -D --defined-only "$OUTPUT/$SONAME" | awk '{print $3}' | sort)
# shellcheck disable=SC2086
want=$(sorted $API)
[ "$got" = "$want" ] && pass "exported symbols" || fail "libstrclone.so exports [$got], expected [$want]"
readelf -d "$OUTPUT/$SONAME" | grep -q "Library soname: \[$SONAME\]" && pass "soname $SONAME" || fail "no soname $SONAME"
needed=$(readelf -d "$OUTPUT/$SONAME" | sed -n 's/.*Shared library: \[\(.*\)\]/\1/p' | tr '\n' ' ')
[ "$needed" = "libc.so.6 " ] && pass "needs only libc.so.6" || fail "libstrclone.so needs: $needed"

# 2.
extra=$(nm -g --defined-only "$OUTPUT/libstrclone.a" | awk 'NF == 3 {print $3}' | sort -u |
	grep -vxF "$(printf '%s\n' $API __ptsname_r __strclone_probe)" || true)
[ -z "$extra" ] && pass "libstrclone.a namespace" || fail "libstrclone.a defines: $extra"

# 3.
cat > "$t/openpty.c" <<'C'
#define _GNU_SOURCE
#include <pty.h>
#include <stdio.h>
#include <stdlib.h>
int main(void)
{
	int m, s;

	if (openpty(&m, &s, NULL, NULL, NULL) == 0)
		printf("%s\n", ptsname(m));
	return 0;
}
C
if $CC -O2 -Wall -Werror -static -o "$t/openpty-static" "$t/openpty.c" "$OUTPUT/libstrclone.a" \
	2>"$t/openpty.err"; then
	# Ours is the ptsname in it: libc.a's would have brought __ptsname_r too.
	if nm "$t/openpty-static" | grep -q ' T __strclone_probe$'; then
		pass "static ptsname() + openpty() links against libstrclone.a"
	else
		fail "static link did not take libstrclone.a's ptsname"
	fi
else
	cat "$t/openpty.err" >&2
	fail "static ptsname() + openpty() does not link"
fi

# 4.
cat > "$t/fortify.c" <<'C'
#include <stdlib.h>
int main(int argc, char **argv)
{
	char buf[64];

	(void)argv;
	/* buflen known only at run time: glibc calls __ptsname_r_chk. */
	return ptsname_r(0, buf, (size_t)argc * 16) == 0;
}
C
for kind in static shared; do
	if [ $kind = static ]; then
		link="$OUTPUT/libstrclone.a -static"
	else
		link="-L$OUTPUT -lstrclone"
	fi
	# shellcheck disable=SC2086
	if $CC -O2 -D_FORTIFY_SOURCE=2 -D_GNU_SOURCE -o "$t/fortify-$kind" "$t/fortify.c" $link \
		2>"$t/fortify.err"; then
		if [ $kind = static ]; then
			nm "$t/fortify-static" | grep -q ' T __strclone_probe$' &&
				pass "fortified ptsname_r links to libstrclone.a" ||
				fail "fortified static ptsname_r bypasses libstrclone.a"
		else
			nm -D "$t/fortify-shared" | grep -q ' U __ptsname_r_chk' &&
				readelf -d "$t/fortify-shared" | grep -q "\[$SONAME\]" &&
				pass "fortified ptsname_r links to libstrclone.so" ||
				fail "fortified dynamic ptsname_r does not use libstrclone.so"
		fi
	else
		cat "$t/fortify.err" >&2
		fail "fortified program ($kind) does not link"
	fi
done

# 5.
make -s -C "$lib" OUTPUT="$t/build-destdir" PREFIX=/opt/strclone-test DESTDIR="$t/dest" install >/dev/null
for f in lib/libstrclone.a "lib/$SONAME" lib/libstrclone.so lib/pkgconfig/strclone.pc \
	include/linux/strclone.h include/stropts.h; do
	[ -e "$t/dest/opt/strclone-test/$f" ] || fail "DESTDIR install lacks $f"
done
grep -qx 'prefix=/opt/strclone-test' "$t/dest/opt/strclone-test/lib/pkgconfig/strclone.pc" &&
	pass "DESTDIR/PREFIX install" || fail "strclone.pc does not name PREFIX"
[ "$(readlink "$t/dest/opt/strclone-test/lib/libstrclone.so")" = "$SONAME" ] ||
	fail "installed libstrclone.so is not a link to $SONAME"

prefix=$t/prefix
make -s -C "$lib" OUTPUT="$t/build-prefix" PREFIX="$prefix" install >/dev/null
cat > "$t/svr4.c" <<'C'
/* An SVR4 source: <stropts.h>, getmsg/putmsg, isastream, grantpt. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <stropts.h>
#include <unistd.h>

int main(void)
{
	struct strbuf ctl = { .maxlen = 0, .len = -1, .buf = NULL };
	int fd = open("/dev/null", O_RDWR);

	if (fd < 0 || isastream(fd) != 0)
		return 1;
	if (putmsg(fd, &ctl, NULL, 0) != -1 || errno != ENOSTR)
		return 2;
	if (grantpt(fd) != -1 || errno != EINVAL)
		return 3;
	if (isastream(-1) != -1 || errno != EBADF)
		return 4;
	puts("svr4 ok");
	return 0;
}
C
export PKG_CONFIG_PATH="$prefix/lib/pkgconfig"
cflags=$(pkg-config --cflags strclone | sed "s/ *$//")
libs=$(pkg-config --libs strclone)
[ "$cflags" = "-I$prefix/include" ] && pass "pkg-config --cflags" || fail "pkg-config --cflags: $cflags"
# shellcheck disable=SC2086
if $CC -std=c99 -Wall -Wextra -Wpedantic -Werror -D_XOPEN_SOURCE=700 $cflags -o "$t/svr4-shared" \
	"$t/svr4.c" $libs 2>"$t/svr4.err" &&
	out=$(LD_LIBRARY_PATH="$prefix/lib" "$t/svr4-shared") && [ "$out" = "svr4 ok" ]; then
	pass "SVR4 program via pkg-config (shared) builds and runs"
else
	cat "$t/svr4.err" >&2
	fail "SVR4 program via pkg-config (shared)"
fi
# shellcheck disable=SC2086
if $CC -std=c99 -Wall -Wextra -Wpedantic -Werror -D_XOPEN_SOURCE=700 -static $cflags \
	-o "$t/svr4-static" "$t/svr4.c" $(pkg-config --libs --static strclone) 2>"$t/svr4.err" &&
	out=$("$t/svr4-static") && [ "$out" = "svr4 ok" ]; then
	pass "SVR4 program via pkg-config (static) builds and runs"
else
	cat "$t/svr4.err" >&2
	fail "SVR4 program via pkg-config (static)"
fi

cat > "$t/cxx.cc" <<'C'
#include <stropts.h>
#include <stdlib.h>
int main()
{
	int flags = 0;
	strbuf ctl = { 0, -1, nullptr };

	return getmsg(0, &ctl, nullptr, &flags) + isastream(0) + (ptsname(0) != nullptr);
}
C
CXX=${CXX:-c++}
# shellcheck disable=SC2086
if $CXX -Wall -Werror $cflags -o "$t/cxx" "$t/cxx.cc" $libs 2>"$t/cxx.err"; then
	pass "C++ program via pkg-config links"
else
	cat "$t/cxx.err" >&2
	fail "C++ program via pkg-config"
fi

if [ $fails -ne 0 ]; then
	echo "libstrclone host checks: $fails failed" >&2
	exit 1
fi
echo "libstrclone host checks: all passed"
