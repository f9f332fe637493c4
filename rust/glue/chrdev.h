/* SPDX-License-Identifier: GPL-2.0 */
/* strclone's character nodes (chrdev.c), called from rust/glue/node.rs. */
#ifndef STRCLONE_GLUE_CHRDEV_H
#define STRCLONE_GLUE_CHRDEV_H

#include <linux/fs.h>

struct device;

int strclone_chrdev_init(void);
void strclone_chrdev_exit(void);
int strclone_node_add(const char *name, umode_t mode, const struct file_operations *fops,
		      void *ctx);
void strclone_node_del(int i);
void *strclone_node_ctx(const struct inode *inode);
unsigned int strclone_file_minor(const struct file *file);
int strclone_pts_region_add(unsigned int count, const struct file_operations *fops, void *ctx);
void strclone_pts_region_del(void);
struct device *strclone_pts_dev_add(unsigned int minor, u32 uid, u32 gid, umode_t mode);
void strclone_pts_dev_del(struct device *dev);
void strclone_current_real_ids(u32 *uid, u32 *gid);
void strclone_current_eff_ids(u32 *uid, u32 *gid);

#endif
