// SPDX-License-Identifier: GPL-2.0
/*
 * i2c-regsim: a simulated I2C adapter that does real I2C transfers (master_xfer, I2C_FUNC_I2C), for testing
 * user-space I2C code against the kernel's i2c-dev. i2c-stub cannot serve here: it is SMBus-only, so I2C_RDWR
 * and read()/write() on it fail with EOPNOTSUPP.
 *
 * Each device (module parameter devices=0x76,0x77,...) is a register-pointer chip with 256 byte registers, as
 * most sensors are: a write message sets the register pointer from its first byte and writes the rest from there,
 * auto-incrementing; a read message reads from the pointer, auto-incrementing. An address that is not a device
 * does not acknowledge: the transfer fails with ENXIO (Documentation/i2c/fault-codes.rst). SMBus transfers are
 * emulated by the I2C core on top of these.
 *
 * debugfs (/sys/kernel/debug/i2c-regsim/):
 *   0xAA       the device's 256 registers, read and written at file offset = register (preload, inspect)
 *   last       the messages of the last transfer, e.g. "w76:1 r76:8" (direction, address, length), so a test
 *              can see whether a write-read went out as one combined transfer (repeated start) or as two
 *   transfers  how many transfers (master_xfer calls) there have been
 */
#include <linux/debugfs.h>
#include <linux/i2c.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/string.h>

#define REGSIM_MAX_DEVICES 8
#define REGSIM_REGISTERS 256
#define REGSIM_LAST_SIZE 256

static unsigned short devices[REGSIM_MAX_DEVICES];
static int device_count;
module_param_array(devices, ushort, &device_count, 0444);
MODULE_PARM_DESC(devices, "7-bit addresses of the simulated register-pointer devices (up to 8)");

struct regsim_device {
	u16 address;
	u8 pointer;
	u8 registers[REGSIM_REGISTERS];
	char name[8];
};

static struct regsim_device *regsim_devices;
static DEFINE_MUTEX(regsim_lock);
static char regsim_last[REGSIM_LAST_SIZE];
static u64 regsim_transfers;
static struct dentry *regsim_debugfs;

static struct regsim_device *regsim_find(u16 address)
{
	int i;

	for (i = 0; i < device_count; i++)
		if (regsim_devices[i].address == address)
			return &regsim_devices[i];
	return NULL;
}

static int regsim_xfer(struct i2c_adapter *adapter, struct i2c_msg *msgs, int num)
{
	size_t used = 0;
	int i, j;

	mutex_lock(&regsim_lock);
	regsim_transfers++;
	regsim_last[0] = '\0';
	for (i = 0; i < num; i++) {
		struct i2c_msg *msg = &msgs[i];
		struct regsim_device *device;

		used += scnprintf(regsim_last + used, REGSIM_LAST_SIZE - used, "%s%c%02x:%u", i ? " " : "",
				  (msg->flags & I2C_M_RD) ? 'r' : 'w', msg->addr, msg->len);
		if (msg->flags & I2C_M_TEN) {
			mutex_unlock(&regsim_lock);
			return -EOPNOTSUPP;
		}
		device = regsim_find(msg->addr);
		if (!device) {
			/* Nobody acknowledged the address: the whole transfer fails. */
			mutex_unlock(&regsim_lock);
			return -ENXIO;
		}
		if (msg->flags & I2C_M_RD) {
			for (j = 0; j < msg->len; j++)
				msg->buf[j] = device->registers[device->pointer++];
		} else if (msg->len > 0) {
			device->pointer = msg->buf[0];
			for (j = 1; j < msg->len; j++)
				device->registers[device->pointer++] = msg->buf[j];
		}
	}
	mutex_unlock(&regsim_lock);
	return num;
}

static u32 regsim_functionality(struct i2c_adapter *adapter)
{
	return I2C_FUNC_I2C | I2C_FUNC_SMBUS_EMUL;
}

static const struct i2c_algorithm regsim_algorithm = {
	.master_xfer = regsim_xfer,
	.functionality = regsim_functionality,
};

static struct i2c_adapter regsim_adapter = {
	.owner = THIS_MODULE,
	.algo = &regsim_algorithm,
	.name = "i2c-regsim",
};

static ssize_t registers_read(struct file *file, char __user *buf, size_t count, loff_t *ppos)
{
	struct regsim_device *device = file->private_data;
	ssize_t n;

	mutex_lock(&regsim_lock);
	n = simple_read_from_buffer(buf, count, ppos, device->registers, REGSIM_REGISTERS);
	mutex_unlock(&regsim_lock);
	return n;
}

static ssize_t registers_write(struct file *file, const char __user *buf, size_t count, loff_t *ppos)
{
	struct regsim_device *device = file->private_data;
	ssize_t n;

	mutex_lock(&regsim_lock);
	n = simple_write_to_buffer(device->registers, REGSIM_REGISTERS, ppos, buf, count);
	mutex_unlock(&regsim_lock);
	return n;
}

static const struct file_operations registers_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.read = registers_read,
	.write = registers_write,
	.llseek = default_llseek,
};

static ssize_t last_read(struct file *file, char __user *buf, size_t count, loff_t *ppos)
{
	char text[REGSIM_LAST_SIZE + 1];
	size_t length;

	mutex_lock(&regsim_lock);
	length = scnprintf(text, sizeof(text), "%s\n", regsim_last);
	mutex_unlock(&regsim_lock);
	return simple_read_from_buffer(buf, count, ppos, text, length);
}

static const struct file_operations last_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.read = last_read,
	.llseek = default_llseek,
};

static int __init regsim_init(void)
{
	int i, ret;

	if (device_count == 0) {
		pr_err("i2c-regsim: no devices given (devices=0x76,...)\n");
		return -EINVAL;
	}
	regsim_devices = kcalloc(device_count, sizeof(*regsim_devices), GFP_KERNEL);
	if (!regsim_devices)
		return -ENOMEM;
	for (i = 0; i < device_count; i++) {
		if (devices[i] < 0x03 || devices[i] > 0x77) {
			pr_err("i2c-regsim: 0x%x is not a 7-bit device address\n", devices[i]);
			kfree(regsim_devices);
			return -EINVAL;
		}
		regsim_devices[i].address = devices[i];
		snprintf(regsim_devices[i].name, sizeof(regsim_devices[i].name), "0x%02x", devices[i]);
	}

	ret = i2c_add_adapter(&regsim_adapter);
	if (ret) {
		kfree(regsim_devices);
		return ret;
	}

	regsim_debugfs = debugfs_create_dir("i2c-regsim", NULL);
	for (i = 0; i < device_count; i++)
		debugfs_create_file_size(regsim_devices[i].name, 0600, regsim_debugfs, &regsim_devices[i],
					 &registers_fops, REGSIM_REGISTERS);
	debugfs_create_file("last", 0400, regsim_debugfs, NULL, &last_fops);
	debugfs_create_u64("transfers", 0400, regsim_debugfs, &regsim_transfers);
	pr_info("i2c-regsim: %s with %d device(s)\n", dev_name(&regsim_adapter.dev), device_count);
	return 0;
}

static void __exit regsim_exit(void)
{
	debugfs_remove_recursive(regsim_debugfs);
	i2c_del_adapter(&regsim_adapter);
	kfree(regsim_devices);
}

module_init(regsim_init);
module_exit(regsim_exit);

MODULE_DESCRIPTION("Simulated I2C adapter with register-pointer devices, for tests");
MODULE_LICENSE("GPL");
