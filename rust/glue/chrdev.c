// SPDX-License-Identifier: GPL-2.0
/*
 * strclone's character nodes: one dynamically allocated char device region,
 * one cdev per node and a "strclone" class whose devnode callback gives each
 * /dev node its mode (0666 for the clone nodes, 0600 for /dev/ptmajor, ...).
 *
 * Why not misc devices: misc_open() calls the driver's open with the global
 * misc_mtx held, so every open of every misc device in the system (and every
 * strclone clone open, which allocates a minor, a stream and its queues) runs
 * one at a time. Through a cdev, chrdev_open() calls our open with no lock
 * held, and opens on two CPUs proceed in parallel.
 *
 * Names: a '/' in a node's name makes a directory under /dev ("sad/admin" is
 * /dev/sad/admin). The driver core names the device "sad!admin" (a kobject
 * name cannot hold a '/'), and device_get_devnode() turns the '!' back into
 * a '/' for devtmpfs, which creates the directory with the first node in it
 * and removes it with the last. strclone_devnode() only sets the mode.
 *
 * Lifetime: a node's cdev comes from cdev_alloc(), so the kernel frees it on
 * its last kobject reference (an open racing with the node's removal may
 * hold one). The open context (the Rust Node) is looked up by minor and is
 * only used inside our open, which runs with a module reference (the fops
 * owner), so the module and its nodes are still there.
 *
 * The pts slaves (/dev/strpts/N) are a second region, "strpts", of pt_cnt
 * minors: minor N is the slave of ptm pair N. One cdev covers the whole
 * region and has one open context (the pts node in rust/strclone.rs), which
 * finds the pair from the minor; that cdev is always there. What comes and
 * goes with a pair is only its struct device (strclone_pts_dev_add/_del),
 * whose device_add makes devtmpfs create /dev/strpts/N, with the owner,
 * group and mode the pair gives it (strclone_pts_devnode, a device_type
 * devnode, is the only devnode hook that can set uid and gid), and whose
 * device_del removes the node before it returns. The device is made only
 * when the pair's name is asked for or granted (ptm.rst, "Slave nodes").
 */
#include <linux/cdev.h>
#include <linux/cred.h>
#include <linux/device.h>
#include <linux/fs.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/uidgid.h>

#include "chrdev.h"

#define STRCLONE_NODES	16

static dev_t strclone_base;
static umode_t strclone_modes[STRCLONE_NODES];
static void *strclone_ctx[STRCLONE_NODES];
static struct cdev *strclone_cdevs[STRCLONE_NODES];
static DEFINE_MUTEX(strclone_nodes_lock);

static dev_t strclone_pts_base;
static unsigned int strclone_pts_count;
static struct cdev *strclone_pts_cdev;
static void *strclone_pts_ctx;

static char *strclone_devnode(const struct device *dev, umode_t *mode)
{
	unsigned int i = MINOR(dev->devt) - MINOR(strclone_base);

	/* A pts device's mode came from strclone_pts_devnode already. */
	if (MAJOR(dev->devt) != MAJOR(strclone_base))
		return NULL;
	if (mode && i < STRCLONE_NODES)
		*mode = strclone_modes[i];
	return NULL;
}

static const struct class strclone_class = {
	.name = "strclone",
	.devnode = strclone_devnode,
};

/* The region and the class; called once at module init. */
int strclone_chrdev_init(void)
{
	int err = alloc_chrdev_region(&strclone_base, 0, STRCLONE_NODES, "strclone");

	if (err)
		return err;
	err = class_register(&strclone_class);
	if (err)
		unregister_chrdev_region(strclone_base, STRCLONE_NODES);
	return err;
}

/* Undoes strclone_chrdev_init(); every node is gone by then. */
void strclone_chrdev_exit(void)
{
	class_unregister(&strclone_class);
	unregister_chrdev_region(strclone_base, STRCLONE_NODES);
}

/*
 * Creates /dev/<name> with permission bits @mode, whose opens go to @fops
 * with @ctx available through strclone_node_ctx(). Returns the node's index
 * (for strclone_node_del()) or a negative errno.
 */
int strclone_node_add(const char *name, umode_t mode, const struct file_operations *fops,
		      void *ctx)
{
	struct device *dev;
	struct cdev *cdev;
	int i, err;

	mutex_lock(&strclone_nodes_lock);
	for (i = 0; i < STRCLONE_NODES && strclone_cdevs[i]; i++)
		;
	if (i == STRCLONE_NODES) {
		err = -ENOSPC;
		goto out;
	}
	cdev = cdev_alloc();
	if (!cdev) {
		err = -ENOMEM;
		goto out;
	}
	cdev->owner = fops->owner;
	cdev->ops = fops;
	strclone_modes[i] = mode;
	WRITE_ONCE(strclone_ctx[i], ctx);
	err = cdev_add(cdev, strclone_base + i, 1);
	if (err) {
		kobject_put(&cdev->kobj);
		goto out_ctx;
	}
	dev = device_create(&strclone_class, NULL, strclone_base + i, NULL, "%s", name);
	if (IS_ERR(dev)) {
		err = PTR_ERR(dev);
		cdev_del(cdev);
		goto out_ctx;
	}
	strclone_cdevs[i] = cdev;
	mutex_unlock(&strclone_nodes_lock);
	return i;

out_ctx:
	WRITE_ONCE(strclone_ctx[i], NULL);
out:
	mutex_unlock(&strclone_nodes_lock);
	return err;
}

/* Removes the node strclone_node_add() returned @i for. */
void strclone_node_del(int i)
{
	mutex_lock(&strclone_nodes_lock);
	device_destroy(&strclone_class, strclone_base + i);
	cdev_del(strclone_cdevs[i]);
	strclone_cdevs[i] = NULL;
	WRITE_ONCE(strclone_ctx[i], NULL);
	mutex_unlock(&strclone_nodes_lock);
}

/* The @ctx of the node @inode is, for its open. */
void *strclone_node_ctx(const struct inode *inode)
{
	unsigned int i = MINOR(inode->i_rdev) - MINOR(strclone_base);

	if (strclone_pts_count && MAJOR(inode->i_rdev) == MAJOR(strclone_pts_base))
		return MINOR(inode->i_rdev) < strclone_pts_count ? READ_ONCE(strclone_pts_ctx) :
								    NULL;
	if (MAJOR(inode->i_rdev) != MAJOR(strclone_base))
		return NULL;
	return i < STRCLONE_NODES ? READ_ONCE(strclone_ctx[i]) : NULL;
}

/* The minor of the device @file was opened on. */
unsigned int strclone_file_minor(const struct file *file)
{
	return MINOR(file_inode(file)->i_rdev);
}

/*
 * The pts region: @count minors, one cdev whose opens go to @fops with @ctx.
 * Called once, from module init, after strclone_chrdev_init().
 */
int strclone_pts_region_add(unsigned int count, const struct file_operations *fops, void *ctx)
{
	struct cdev *cdev;
	int err = alloc_chrdev_region(&strclone_pts_base, 0, count, "strpts");

	if (err)
		return err;
	cdev = cdev_alloc();
	if (!cdev) {
		err = -ENOMEM;
		goto out_region;
	}
	cdev->owner = fops->owner;
	cdev->ops = fops;
	WRITE_ONCE(strclone_pts_ctx, ctx);
	strclone_pts_count = count;
	err = cdev_add(cdev, strclone_pts_base, count);
	if (err) {
		kobject_put(&cdev->kobj);
		goto out_ctx;
	}
	strclone_pts_cdev = cdev;
	return 0;

out_ctx:
	WRITE_ONCE(strclone_pts_ctx, NULL);
	strclone_pts_count = 0;
out_region:
	unregister_chrdev_region(strclone_pts_base, count);
	return err;
}

/* Undoes strclone_pts_region_add(); every pts device is gone by then. */
void strclone_pts_region_del(void)
{
	cdev_del(strclone_pts_cdev);
	strclone_pts_cdev = NULL;
	WRITE_ONCE(strclone_pts_ctx, NULL);
	unregister_chrdev_region(strclone_pts_base, strclone_pts_count);
	strclone_pts_count = 0;
}

/* One pts slave's device, and the owner and mode of its /dev node. */
struct strclone_pts_dev {
	struct device dev;
	kuid_t uid;
	kgid_t gid;
	umode_t mode;
};

static char *strclone_pts_devnode(const struct device *dev, umode_t *mode, kuid_t *uid,
				  kgid_t *gid)
{
	const struct strclone_pts_dev *p = container_of(dev, struct strclone_pts_dev, dev);

	if (mode)
		*mode = p->mode;
	if (uid)
		*uid = p->uid;
	if (gid)
		*gid = p->gid;
	/* The name is the device's: "strpts!N", that is strpts/N. */
	return NULL;
}

static const struct device_type strclone_pts_type = {
	.name = "strpts",
	.devnode = strclone_pts_devnode,
};

static void strclone_pts_release(struct device *dev)
{
	kfree(container_of(dev, struct strclone_pts_dev, dev));
}

/*
 * Creates /dev/strpts/@minor owned by (@uid, @gid) (kernel ids, that is of
 * the initial user namespace) with permission bits @mode. Returns the
 * device (for strclone_pts_dev_del()) or an ERR_PTR.
 */
struct device *strclone_pts_dev_add(unsigned int minor, u32 uid, u32 gid, umode_t mode)
{
	struct strclone_pts_dev *p;
	int err;

	if (minor >= strclone_pts_count)
		return ERR_PTR(-ENXIO);
	p = kzalloc(sizeof(*p), GFP_KERNEL_ACCOUNT);
	if (!p)
		return ERR_PTR(-ENOMEM);
	p->uid = KUIDT_INIT(uid);
	p->gid = KGIDT_INIT(gid);
	p->mode = mode;
	device_initialize(&p->dev);
	p->dev.devt = MKDEV(MAJOR(strclone_pts_base), minor);
	p->dev.class = &strclone_class;
	p->dev.type = &strclone_pts_type;
	p->dev.release = strclone_pts_release;
	err = dev_set_name(&p->dev, "strpts!%u", minor);
	if (!err)
		err = device_add(&p->dev);
	if (err) {
		put_device(&p->dev);
		return ERR_PTR(err);
	}
	return &p->dev;
}

/* Removes the device (and its /dev node) strclone_pts_dev_add() made. */
void strclone_pts_dev_del(struct device *dev)
{
	device_unregister(dev);
}

/* The calling task's real uid and gid, as kernel ids. */
void strclone_current_real_ids(u32 *uid, u32 *gid)
{
	*uid = __kuid_val(current_uid());
	*gid = __kgid_val(current_gid());
}

/* The calling task's effective uid and gid, as kernel ids. */
void strclone_current_eff_ids(u32 *uid, u32 *gid)
{
	*uid = __kuid_val(current_euid());
	*gid = __kgid_val(current_egid());
}
