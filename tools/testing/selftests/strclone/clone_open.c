// SPDX-License-Identifier: GPL-2.0
/*
 * Opening /dev/clone-ptmx from user space.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kselftest_harness.h"

TEST(open_close)
{
	int fd = open("/dev/clone-ptmx", O_RDWR);

	ASSERT_LE(0, fd) TH_LOG("open: %s", strerror(errno));
	EXPECT_EQ(0, close(fd));
}

TEST(node_is_char_device)
{
	struct stat st;

	ASSERT_EQ(0, stat("/dev/clone-ptmx", &st));
	EXPECT_TRUE(S_ISCHR(st.st_mode));
}

TEST_HARNESS_MAIN
