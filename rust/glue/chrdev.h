/* SPDX-License-Identifier: GPL-2.0 */
/* strclone's character nodes (chrdev.c), called from rust/glue/node.rs. */
#ifndef STRCLONE_GLUE_CHRDEV_H
#define STRCLONE_GLUE_CHRDEV_H

#include <linux/fs.h>

int strclone_chrdev_init(void);
void strclone_chrdev_exit(void);
int strclone_node_add(const char *name, umode_t mode, const struct file_operations *fops,
		      void *ctx);
void strclone_node_del(int i);
void *strclone_node_ctx(const struct inode *inode);

#endif
