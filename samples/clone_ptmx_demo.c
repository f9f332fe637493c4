// SPDX-License-Identifier: GPL-2.0
/*
 * clone_ptmx_demo: open /dev/clone-ptmx twice and show what each open got.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

int main(void)
{
	int fd[2];
	struct stat st;

	for (int i = 0; i < 2; i++) {
		fd[i] = open("/dev/clone-ptmx", O_RDWR);
		if (fd[i] < 0) {
			printf("open /dev/clone-ptmx: %s\n", strerror(errno));
			return 1;
		}
		if (fstat(fd[i], &st) < 0) {
			printf("fstat: %s\n", strerror(errno));
			return 1;
		}
		printf("open #%d of /dev/clone-ptmx: fd %d, node %u:%u\n", i + 1, fd[i],
		       major(st.st_rdev), minor(st.st_rdev));
	}
	for (int i = 0; i < 2; i++)
		close(fd[i]);
	printf("closed both streams\n");
	return 0;
}
