// SPDX-License-Identifier: GPL-2.0
/*
 * strclone's character devices: regions, each a dynamically allocated major
 * with one cdev over all its minors and one open context, and the devices
 * (the /dev nodes) made on their minors.
 *
 * Why not misc devices: misc_open() calls the driver's open with the global
 * misc_mtx held, so every open of every misc device in the system (and every
 * strclone clone open, which allocates a minor, a stream and its queues) runs
 * one at a time. Through a cdev, chrdev_open() calls our open with no lock
 * held, and opens on two CPUs proceed in parallel.
 *
 * The regions strclone makes (rust/strclone.rs, rust/clone.rs, rust/ddi.rs):
 *
 *   clone       the clone driver: 256 minors, minor M stands for STREAMS
 *               major M (SVR4 kept the target's major in the clone node's
 *               minor). /dev/clone-<name> is made when a clonable driver is
 *               registered at M and removed when it is unregistered.
 *   strpts      the pts slaves, pt_cnt minors: /dev/strpts/N is made when
 *               pair N's slave name is asked for or granted (ptm.rst).
 *   <driver>    a driver registered with per-minor nodes: /dev/<name>/<n>
 *               for n below the count it asked for, made at registration.
 *   <node>      one minor for each fixed node (/dev/ptmajor, /dev/strlog,
 *               /dev/conslog, /dev/sad/admin, /dev/sad/user).
 *
 * Each region takes a dynamic major of its own (one line in /proc/devices),
 * so the number of nodes has no fixed limit: the clone region serves every
 * clonable driver, and a region per registered driver is SVR4's major per
 * driver.
 *
 * Names: a '/' in a device's name makes a directory under /dev ("sad/admin"
 * is /dev/sad/admin). The driver core names the device "sad!admin" (a
 * kobject name cannot hold a '/'), and device_get_devnode() turns the '!'
 * back into a '/' for devtmpfs, which creates the directory with the first
 * node in it and removes it with the last. strclone_devnode() sets the
 * owner, group and mode each device was made with (a device_type devnode is
 * the only devnode hook that can set uid and gid); device_del() removes the
 * node before it returns.
 *
 * Node names with a '/' are allocated up front. device_get_devnode() would
 * otherwise allocate the '/' name in the calling task, and device_add()
 * and device_del() ignore devtmpfs' errors: a failed allocation there left
 * a device with no node (an open of /dev/strpts/N gave ENOENT after the
 * pts was made; fault injection found it) or a stale node after its
 * removal. strclone_dev_add() allocates both names (one for devtmpfs'
 * create, one for its delete: devtmpfs frees each after use) and fails with
 * ENOMEM if it cannot; strclone_devnode() hands them over, the first call
 * with a mode (devtmpfs_create_node(), which device_add() makes before its
 * uevent) takes the create name, the call without one (devtmpfs_delete_node())
 * the delete name. Other calls (uevents) get the driver core's own. What
 * devtmpfs' thread does with the request is still unchecked by the driver
 * core: a module cannot see that error.
 *
 * Lifetime: a region's cdev comes from cdev_alloc(), so the kernel frees it
 * on its last kobject reference (an open racing with the region's removal
 * may hold one). The open context is found by major in strclone_regions and
 * used only between strclone_region_enter() and strclone_region_exit(): the
 * lookup counts the open as a user of the region under the xarray's lock,
 * and strclone_region_del() takes the region out of the xarray first, then
 * waits until its users are gone, before the context (owned by Rust) may
 * be freed. So an open racing with a driver's unregistration either finds
 * nothing (ENXIO) or finishes with the context alive.
 */
#include <linux/cdev.h>
#include <linux/cred.h>
#include <linux/device.h>
#include <linux/fs.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/uidgid.h>
#include <linux/wait_bit.h>
#include <linux/xarray.h>

#include "chrdev.h"

/* One region: a major, its minors 0..count-1, their cdev and open context. */
struct strclone_region {
	dev_t base;
	unsigned int count;
	struct cdev *cdev;
	void *ctx;
	atomic_t users;		/* opens between enter and exit */
	struct device *node;	/* a fixed node's device (strclone_node_add) */
};

/* MAJOR(base) -> region. */
static DEFINE_XARRAY(strclone_regions);

/* The region /dev/strpts/N are made on (rust/ptm.rs names only minors). */
static struct strclone_region *strclone_pts;

static const struct class strclone_class = {
	.name = "strclone",
};

/* The class; called once at module init. */
int strclone_chrdev_init(void)
{
	return class_register(&strclone_class);
}

/* Undoes strclone_chrdev_init(); every region is gone by then. */
void strclone_chrdev_exit(void)
{
	class_unregister(&strclone_class);
}

/*
 * A region called @name (for /proc/devices) of @count minors whose opens go
 * to @fops with @ctx available through strclone_region_enter(). Returns the
 * region or an ERR_PTR.
 */
struct strclone_region *strclone_region_add(const char *name, unsigned int count,
					    const struct file_operations *fops, void *ctx)
{
	struct strclone_region *r;
	int err;

	if (!count || count > MINORMASK + 1)
		return ERR_PTR(-EINVAL);
	r = kzalloc(sizeof(*r), GFP_KERNEL);
	if (!r)
		return ERR_PTR(-ENOMEM);
	r->count = count;
	r->ctx = ctx;
	err = alloc_chrdev_region(&r->base, 0, count, name);
	if (err)
		goto out_free;
	err = xa_insert(&strclone_regions, MAJOR(r->base), r, GFP_KERNEL);
	if (err)
		goto out_region;
	r->cdev = cdev_alloc();
	if (!r->cdev) {
		err = -ENOMEM;
		goto out_xa;
	}
	r->cdev->owner = fops->owner;
	r->cdev->ops = fops;
	err = cdev_add(r->cdev, r->base, count);
	if (err) {
		kobject_put(&r->cdev->kobj);
		goto out_xa;
	}
	return r;

out_xa:
	xa_erase(&strclone_regions, MAJOR(r->base));
out_region:
	unregister_chrdev_region(r->base, count);
out_free:
	kfree(r);
	return ERR_PTR(err);
}

/*
 * Removes @r: no open finds it afterwards, and the opens that found it have
 * returned when this does. Every device made on it is gone already.
 */
void strclone_region_del(struct strclone_region *r)
{
	if (READ_ONCE(strclone_pts) == r)
		WRITE_ONCE(strclone_pts, NULL);
	xa_erase(&strclone_regions, MAJOR(r->base));
	cdev_del(r->cdev);
	wait_var_event(&r->users, !atomic_read(&r->users));
	unregister_chrdev_region(r->base, r->count);
	kfree(r);
}

/*
 * The context of the region @inode belongs to, for an open: NULL if there
 * is none (removed, or a stray node). Non-NULL: *@rp is the region, to be
 * given to strclone_region_exit() when the open is done with the context.
 */
void *strclone_region_enter(const struct inode *inode, struct strclone_region **rp)
{
	struct strclone_region *r;
	void *ctx = NULL;

	xa_lock(&strclone_regions);
	r = xa_load(&strclone_regions, imajor(inode));
	if (r && iminor(inode) < r->count) {
		atomic_inc(&r->users);
		ctx = r->ctx;
	}
	xa_unlock(&strclone_regions);
	*rp = ctx ? r : NULL;
	return ctx;
}

/* Ends the use strclone_region_enter() began. */
void strclone_region_exit(struct strclone_region *r)
{
	/* wake_up_var() only hashes the address: @r may be freed by then. */
	if (atomic_dec_and_test(&r->users))
		wake_up_var(&r->users);
}

/* The minor of the device @file was opened on. */
unsigned int strclone_file_minor(const struct file *file)
{
	return MINOR(file_inode(file)->i_rdev);
}

/*
 * One device: its /dev node's owner and mode, and for a name with a '/' the
 * node names devtmpfs is still to be handed (see the comment at the top).
 */
struct strclone_dev {
	struct device dev;
	kuid_t uid;
	kgid_t gid;
	umode_t mode;
	char *create_name;
	char *delete_name;
};

static char *strclone_devnode(const struct device *dev, umode_t *mode, kuid_t *uid, kgid_t *gid)
{
	struct strclone_dev *p = container_of(dev, struct strclone_dev, dev);

	if (!mode)
		return xchg(&p->delete_name, NULL);
	*mode = p->mode;
	if (uid)
		*uid = p->uid;
	if (gid)
		*gid = p->gid;
	/* NULL: the device's name (with '!' for '/'), by the driver core. */
	return xchg(&p->create_name, NULL);
}

static const struct device_type strclone_dev_type = {
	.name = "strclone",
	.devnode = strclone_devnode,
};

static void strclone_dev_release(struct device *dev)
{
	struct strclone_dev *p = container_of(dev, struct strclone_dev, dev);

	kfree(p->create_name);
	kfree(p->delete_name);
	kfree(p);
}

/*
 * Makes /dev/@name for @minor of @r, owned by (@uid, @gid) (kernel ids, of
 * the initial user namespace) with permission bits @mode. Returns the device
 * (for strclone_dev_del()) or an ERR_PTR.
 */
struct device *strclone_dev_add(struct strclone_region *r, unsigned int minor, const char *name,
				u32 uid, u32 gid, umode_t mode)
{
	struct strclone_dev *p;
	int err;

	if (minor >= r->count)
		return ERR_PTR(-ENXIO);
	p = kzalloc(sizeof(*p), GFP_KERNEL_ACCOUNT);
	if (!p)
		return ERR_PTR(-ENOMEM);
	p->uid = KUIDT_INIT(uid);
	p->gid = KGIDT_INIT(gid);
	p->mode = mode;
	if (strchr(name, '/')) {
		p->create_name = kstrdup(name, GFP_KERNEL);
		p->delete_name = kstrdup(name, GFP_KERNEL);
		if (!p->create_name || !p->delete_name) {
			kfree(p->create_name);
			kfree(p->delete_name);
			kfree(p);
			return ERR_PTR(-ENOMEM);
		}
	}
	device_initialize(&p->dev);
	p->dev.devt = r->base + minor;
	p->dev.class = &strclone_class;
	p->dev.type = &strclone_dev_type;
	p->dev.release = strclone_dev_release;
	err = dev_set_name(&p->dev, "%s", name);
	if (!err)
		err = device_add(&p->dev);
	if (err) {
		put_device(&p->dev);
		return ERR_PTR(err);
	}
	return &p->dev;
}

/* Removes the device (and its /dev node) strclone_dev_add() made. */
void strclone_dev_del(struct device *dev)
{
	device_unregister(dev);
}

/*
 * A fixed node: /dev/@name with permission bits @mode, owned by root, on a
 * region of its own. Returns the region (for strclone_node_del()) or an
 * ERR_PTR.
 */
struct strclone_region *strclone_node_add(const char *name, umode_t mode,
					  const struct file_operations *fops, void *ctx)
{
	struct strclone_region *r = strclone_region_add(name, 1, fops, ctx);
	struct device *dev;

	if (IS_ERR(r))
		return r;
	dev = strclone_dev_add(r, 0, name, 0, 0, mode);
	if (IS_ERR(dev)) {
		strclone_region_del(r);
		return ERR_CAST(dev);
	}
	r->node = dev;
	return r;
}

/* Removes the node strclone_node_add() made, and its region. */
void strclone_node_del(struct strclone_region *r)
{
	strclone_dev_del(r->node);
	strclone_region_del(r);
}

void strclone_pts_region_set(struct strclone_region *r)
{
	WRITE_ONCE(strclone_pts, r);
}

/* Makes /dev/strpts/@minor as strclone_dev_add() does. */
struct device *strclone_pts_dev_add(unsigned int minor, u32 uid, u32 gid, umode_t mode)
{
	struct strclone_region *r = READ_ONCE(strclone_pts);
	char name[24];

	if (!r)
		return ERR_PTR(-ENXIO);
	snprintf(name, sizeof(name), "strpts/%u", minor);
	return strclone_dev_add(r, minor, name, uid, gid, mode);
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
