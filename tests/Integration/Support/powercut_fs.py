#!/usr/bin/python3
"""A disk with a volatile write cache, as a FUSE filesystem (issue 15's power cut of the real gateway).

    powercut_fs.py mount BACKING DURABLE MOUNTPOINT LOG [CONTROL]
    powercut_fs.py cut BACKING DURABLE LOG

`mount` serves MOUNTPOINT in the foreground: every call goes through to BACKING (the disk as the
running processes see it, page cache included). Beside it, DURABLE holds each file's durable image:
what the file held at its last fsync/fdatasync, the same model as the outbox's unit-test
`PowerCutFiles` (tests/Gateway.Tests/Support/PowerCutFiles.cs), for a real process:

- A write or truncate only marks its byte range of the file dirty. fsync/fdatasync copies the file's
  dirty ranges into its durable image and sets the image's size to the file's (the image is created
  then if the file had none). A file never synced has no image: it is absent after the cut.
- unlink, rename, link, mkdir, rmdir and chmod are applied to the durable state at once (a journalled
  filesystem commits its metadata in order; this model does not lose a rename). This does not flatter
  a writer of temp-then-rename files: a rename moves the source's durable image, so a temp file renamed
  before its fsync gives the target the temp's image, which is none (the target is absent after the
  cut, its old content gone with the rename). It does flatter a writer that skips the directory fsync
  after a rename (ext4 may lose such a rename; this model keeps it): directory fsync is a no-op here.
- At mount, DURABLE is made a copy of BACKING (a disk that was idle: everything on it is durable).

`cut` is the power cut, run once the mount is gone (its users SIGKILLed, then `fusermount -u`):
BACKING is replaced by DURABLE, exactly.

The kernel must not hold the gateway's writes: the mount uses direct_io (no page cache for its
files; every write() reaches this process before it returns) and libfuse 2 never asks for the
kernel's writeback cache. Single-threaded (-s), so no call overlaps another.

CONTROL (optional) is a directory through which a test freezes the disk in the middle of an fsync:
while the file CONTROL/freeze exists, naming a file (its base name), the next fsync of that file
blocks before it copies anything and creates CONTROL/frozen; when CONTROL/freeze is removed, that
fsync fails with EIO and so does every call after it that would change the disk (the power is off:
nothing more reaches it) until the mount goes. A process waiting on the frozen fsync cannot finish
dying on SIGKILL until then (the kernel waits for an answer to a request the daemon has read).

While the file CONTROL/fail exists, naming files (base names, one per line), every fsync of them fails with EIO and copies
nothing (a disk reporting a write error); nothing else changes.

Every fsync, freeze and cut is a line in LOG (with a running count: "fsync 17 ..."), for diagnosis.
"""

import errno
import logging
import os
import shutil
import sys
import time

import fusepy


def log_line(log, text):
    log.write(f"{time.strftime('%H:%M:%S')}.{int(time.time() * 1000) % 1000:03d} {text}\n")
    log.flush()


def copy_tree(source, target):
    """Makes TARGET an exact copy of SOURCE (contents, sizes and modes)."""
    if os.path.exists(target):
        shutil.rmtree(target)
    shutil.copytree(source, target, symlinks=True, copy_function=shutil.copy2)


def merge(ranges):
    merged = []
    for start, end in sorted(ranges):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return merged


class PowerCutDisk(fusepy.Operations):
    use_ns = True

    def __init__(self, backing, durable, log, control):
        self.backing = os.path.realpath(backing)
        self.durable = os.path.realpath(durable)
        self.log = log
        self.control = control
        self.dirty = {}  # path -> [(start, end)]: written since its last fsync
        self.syncs = 0
        self.power_off = False

    # -- where things are

    def b(self, path):
        return os.path.join(self.backing, path.lstrip("/"))

    def d(self, path):
        return os.path.join(self.durable, path.lstrip("/"))

    def check_power(self):
        """Refuses a call that would change the disk once the power is off (reads go on: they change nothing)."""
        if self.power_off:
            raise fusepy.FuseOSError(errno.EIO)

    def mark(self, path, start, end):
        if end > start:
            self.dirty.setdefault(path, []).append((start, end))

    def moved(self, old, new):
        """The dirty ranges of OLD (and of everything under it, for a directory) now belong to NEW."""
        for key in list(self.dirty):
            if key == old or key.startswith(old + "/"):
                self.dirty[new + key[len(old):]] = self.dirty.pop(key)

    # -- the power cut model

    def fsync(self, path, datasync, fh):
        self.check_power()
        self.fail_if_asked(path)
        self.freeze_if_asked(path)
        ranges = merge(self.dirty.pop(path, []))
        size = os.fstat(fh).st_size
        image = self.d(path)
        created = not os.path.exists(image)
        copied = 0
        with open(image, "r+b" if not created else "w+b") as out:
            if created:
                os.chmod(image, os.fstat(fh).st_mode & 0o7777)
            for start, end in ranges:
                end = min(end, size)
                while start < end:
                    chunk = os.pread(fh, min(end - start, 1 << 20), start)
                    if not chunk:
                        break
                    out.seek(start)
                    out.write(chunk)
                    start += len(chunk)
                    copied += len(chunk)
            out.truncate(size)
        self.syncs += 1
        log_line(self.log, f"fsync {self.syncs} {'fdatasync' if datasync else 'fsync'} {path}: "
                           f"{copied} bytes in {len(ranges)} ranges, size {size}{', image created' if created else ''}")
        return 0

    def fsyncdir(self, path, datasync, fh):
        self.check_power()
        log_line(self.log, f"fsyncdir {path} (no-op: directory entries are durable at once)")
        return 0

    def fail_if_asked(self, path):
        try:
            with open(os.path.join(self.control, "fail")) as f:
                names = f.read().split()
        except (FileNotFoundError, TypeError):
            return
        if os.path.basename(path) in names:
            log_line(self.log, f"fsync of {path} failed on purpose (EIO, nothing of it copied)")
            raise fusepy.FuseOSError(errno.EIO)

    def freeze_if_asked(self, path):
        if self.control is None:
            return
        trigger = os.path.join(self.control, "freeze")
        try:
            with open(trigger) as f:
                name = f.read().strip()
        except FileNotFoundError:
            return
        if name != os.path.basename(path):
            return
        log_line(self.log, f"frozen in the fsync of {path} (nothing of it copied); waiting for the cut")
        open(os.path.join(self.control, "frozen"), "w").close()
        while os.path.exists(trigger):
            time.sleep(0.01)
        self.power_off = True
        log_line(self.log, f"power off: the fsync of {path} fails, as does every call until the mount goes")
        raise fusepy.FuseOSError(errno.EIO)

    # -- the namespace: applied to the durable state at once

    def unlink(self, path):
        self.check_power()
        os.unlink(self.b(path))
        self.dirty.pop(path, None)
        if os.path.lexists(self.d(path)):
            os.unlink(self.d(path))

    def rename(self, old, new):
        self.check_power()
        os.rename(self.b(old), self.b(new))
        for key in [k for k in self.dirty if k == new or k.startswith(new + "/")]:
            del self.dirty[key]
        self.moved(old, new)
        if os.path.lexists(self.d(old)):
            os.rename(self.d(old), self.d(new))
        elif os.path.isdir(self.d(new)) and not os.path.islink(self.d(new)):
            shutil.rmtree(self.d(new))
        elif os.path.lexists(self.d(new)):
            os.unlink(self.d(new))  # the target is now a file that was never synced: no image

    def link(self, target, source):
        # fusepy: link(target=the new name, source=the existing file). Both names share the file; its
        # image is linked too, and its dirty ranges go with the new name as well (.NET's File.Move
        # without overwrite links, then unlinks the old name).
        self.check_power()
        os.link(self.b(source), self.b(target))
        if os.path.lexists(self.d(source)):
            os.link(self.d(source), self.d(target))
        if source in self.dirty:
            self.dirty[target] = list(self.dirty[source])

    def mkdir(self, path, mode):
        self.check_power()
        os.mkdir(self.b(path), mode)
        os.makedirs(self.d(path), exist_ok=True)

    def rmdir(self, path):
        self.check_power()
        os.rmdir(self.b(path))
        if os.path.isdir(self.d(path)):
            shutil.rmtree(self.d(path))

    def chmod(self, path, mode):
        self.check_power()
        os.chmod(self.b(path), mode)
        if os.path.lexists(self.d(path)):
            os.chmod(self.d(path), mode)

    def chown(self, path, uid, gid):
        self.check_power()
        os.chown(self.b(path), uid, gid)
        if os.path.lexists(self.d(path)):
            os.chown(self.d(path), uid, gid)

    def symlink(self, target, source):
        self.check_power()
        os.symlink(source, self.b(target))
        os.symlink(source, self.d(target))

    # -- data: to the backing files, the ranges marked dirty

    def create(self, path, mode, fi=None):
        self.check_power()
        fd = os.open(self.b(path), os.O_RDWR | os.O_CREAT, mode)
        self.dirty.setdefault(path, [])
        return fd

    def open(self, path, flags):
        # O_APPEND is the kernel's business (it passes the offset); pwrite on an O_APPEND descriptor would ignore it.
        return os.open(self.b(path), flags & ~(os.O_CREAT | os.O_EXCL | os.O_TRUNC | os.O_APPEND))

    def read(self, path, size, offset, fh):
        return os.pread(fh, size, offset)

    def write(self, path, data, offset, fh):
        self.check_power()
        written = os.pwrite(fh, data, offset)
        self.mark(path, offset, offset + written)
        return written

    def truncate(self, path, length, fh=None):
        self.check_power()
        old = os.fstat(fh).st_size if fh is not None else os.stat(self.b(path)).st_size
        if fh is not None:
            os.ftruncate(fh, length)
        else:
            os.truncate(self.b(path), length)
        self.mark(path, min(old, length), max(old, length))

    def flush(self, path, fh):
        return 0  # close() syncs nothing

    def release(self, path, fh):
        os.close(fh)
        return 0

    # -- reading the namespace

    def getattr(self, path, fh=None):
        st = os.fstat(fh) if fh is not None else os.lstat(self.b(path))
        attrs = {key: getattr(st, key) for key in ("st_gid", "st_mode", "st_nlink", "st_size", "st_uid", "st_blocks", "st_ino")}
        attrs.update(st_atime=st.st_atime_ns, st_mtime=st.st_mtime_ns, st_ctime=st.st_ctime_ns)  # use_ns
        return attrs

    def access(self, path, amode):
        if not os.access(self.b(path), amode):
            raise fusepy.FuseOSError(errno.EACCES)
        return 0

    def readdir(self, path, fh):
        return [".", ".."] + os.listdir(self.b(path))

    def readlink(self, path):
        return os.readlink(self.b(path))

    def statfs(self, path):
        st = os.statvfs(self.b(path))
        return {key: getattr(st, key) for key in (
            "f_bavail", "f_bfree", "f_blocks", "f_bsize", "f_favail", "f_ffree", "f_files", "f_flag", "f_frsize", "f_namemax")}

    def utimens(self, path, times=None):
        self.check_power()
        if times is None:
            os.utime(self.b(path))
        else:
            os.utime(self.b(path), ns=times)
        return 0


def main(argv):
    if len(argv) >= 5 and argv[1] == "mount":
        backing, durable, mountpoint, log_path = argv[2:6]
        control = argv[6] if len(argv) > 6 else None
        with open(log_path, "a") as log:
            logging.basicConfig(stream=log, level=logging.WARNING)  # a call that raised: in the log, beside the fsyncs
            copy_tree(backing, durable)
            log_line(log, f"mount {mountpoint}: {backing} (current), {durable} (durable images, made equal to it)")
            disk = PowerCutDisk(backing, durable, log, control)
            fusepy.FUSE(disk, mountpoint, foreground=True, nothreads=True, direct_io=True, fsname="powercut")
            log_line(log, f"unmounted {mountpoint} after {disk.syncs} fsyncs")
        return 0
    if len(argv) == 5 and argv[1] == "cut":
        backing, durable, log_path = argv[2:5]
        copy_tree(durable, backing)
        with open(log_path, "a") as log:
            log_line(log, f"power cut: {backing} replaced by the durable images in {durable}")
        return 0
    sys.stderr.write(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
