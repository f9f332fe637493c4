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
 */
#include <linux/cdev.h>
#include <linux/device.h>
#include <linux/fs.h>
#include <linux/module.h>
#include <linux/slab.h>

#include "chrdev.h"

#define STRCLONE_NODES	16

static dev_t strclone_base;
static umode_t strclone_modes[STRCLONE_NODES];
static void *strclone_ctx[STRCLONE_NODES];
static struct cdev *strclone_cdevs[STRCLONE_NODES];
static DEFINE_MUTEX(strclone_nodes_lock);

static char *strclone_devnode(const struct device *dev, umode_t *mode)
{
	unsigned int i = MINOR(dev->devt) - MINOR(strclone_base);

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

	return i < STRCLONE_NODES ? READ_ONCE(strclone_ctx[i]) : NULL;
}
