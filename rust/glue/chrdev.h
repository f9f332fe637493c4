/* SPDX-License-Identifier: GPL-2.0 */
/* strclone's character devices (chrdev.c), called from rust/glue/node.rs. */
#ifndef STRCLONE_GLUE_CHRDEV_H
#define STRCLONE_GLUE_CHRDEV_H

#include <linux/fs.h>

struct device;
struct strclone_region;

int strclone_chrdev_init(void);
void strclone_chrdev_exit(void);
struct strclone_region *strclone_region_add(const char *name, unsigned int count,
					    const struct file_operations *fops, void *ctx);
void strclone_region_del(struct strclone_region *r);
void *strclone_region_enter(const struct inode *inode, struct strclone_region **rp);
void strclone_region_exit(struct strclone_region *r);
unsigned int strclone_file_minor(const struct file *file);
struct device *strclone_dev_add(struct strclone_region *r, unsigned int minor, const char *name,
				u32 uid, u32 gid, umode_t mode);
void strclone_dev_del(struct device *dev);
struct strclone_region *strclone_node_add(const char *name, umode_t mode,
					  const struct file_operations *fops, void *ctx);
void strclone_node_del(struct strclone_region *r);
void strclone_pts_region_set(struct strclone_region *r);
struct device *strclone_pts_dev_add(unsigned int minor, u32 uid, u32 gid, umode_t mode);
void strclone_current_real_ids(u32 *uid, u32 *gid);
void strclone_current_eff_ids(u32 *uid, u32 *gid);

#endif
