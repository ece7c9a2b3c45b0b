"""A seccomp-BPF filter for judged code, assembled by hand (no libseccomp needed).

Denied with EPERM: sockets other than AF_UNIX, ptrace, mount/umount/pivot_root/chroot and the new mount
API, unshare/setns and clone with namespace flags, bpf, keyctl/add_key/request_key, io_uring,
perf_event_open, module and kexec loading, process_vm_readv/writev, userfaultfd, open_by_handle_at.
clone3 answers ENOSYS so the C library falls back to clone, whose flags we can inspect.
"""

from __future__ import annotations

import errno
import platform
import struct

AUDIT_ARCH_X86_64 = 0xC000003E
RET_ALLOW = 0x7FFF0000
RET_ERRNO = 0x00050000
RET_KILL_PROCESS = 0x80000000
LD_W_ABS, JEQ_K, JGE_K, JSET_K, RET_K = 0x20, 0x15, 0x35, 0x45, 0x06
AF_UNIX = 1
NAMESPACE_FLAGS = 0x10000000 | 0x00020000 | 0x20000000 | 0x40000000 | 0x08000000 | 0x04000000 | 0x02000000

X86_64 = {
    "socket": 41,
    "socketpair": 53,
    "clone": 56,
    "ptrace": 101,
    "pivot_root": 155,
    "chroot": 161,
    "mount": 165,
    "umount2": 166,
    "init_module": 175,
    "delete_module": 176,
    "kexec_load": 246,
    "add_key": 248,
    "request_key": 249,
    "keyctl": 250,
    "unshare": 272,
    "perf_event_open": 298,
    "open_by_handle_at": 304,
    "setns": 308,
    "process_vm_readv": 310,
    "process_vm_writev": 311,
    "finit_module": 313,
    "kexec_file_load": 320,
    "bpf": 321,
    "userfaultfd": 323,
    "io_uring_setup": 425,
    "io_uring_enter": 426,
    "io_uring_register": 427,
    "open_tree": 428,
    "move_mount": 429,
    "fsopen": 430,
    "fsconfig": 431,
    "fsmount": 432,
    "fspick": 433,
    "clone3": 435,
    "mount_setattr": 442,
}
DENIED = [name for name in X86_64 if name not in ("socket", "socketpair", "clone", "clone3")]


def supported() -> bool:
    """Whether we have syscall numbers for this machine."""
    return platform.machine() in ("x86_64", "AMD64")


def _assemble(program: list[tuple]) -> bytes:
    """Resolve label jumps and pack sock_filter entries (u16 code, u8 jt, u8 jf, u32 k)."""
    real = [op for op in program if op[0] != "label"]
    positions, position = {}, 0
    for op in program:
        if op[0] == "label":
            positions[op[1]] = position
        else:
            position += 1
    out = b""
    for index, op in enumerate(real):
        kind = op[0]
        if kind == "ld":
            out += struct.pack("<HBBI", LD_W_ABS, 0, 0, op[1])
        elif kind == "ret":
            out += struct.pack("<HBBI", RET_K, 0, 0, op[1])
        else:  # ("jeq"|"jge"|"jset", k, true_label, false_label)
            code = {"jeq": JEQ_K, "jge": JGE_K, "jset": JSET_K}[kind]
            jt = 0 if op[2] is None else positions[op[2]] - index - 1
            jf = 0 if op[3] is None else positions[op[3]] - index - 1
            out += struct.pack("<HBBI", code, jt, jf, op[1])
    return out


def filter_program() -> bytes:
    """The compiled filter for x86_64 (kills the process on any other architecture)."""
    program: list[tuple] = [
        ("ld", 4),
        ("jeq", AUDIT_ARCH_X86_64, None, "kill"),
        ("ld", 0),
        ("jge", 0x40000000, "deny", None),
    ]
    program += [("jeq", X86_64[name], "deny", None) for name in DENIED]
    program += [
        ("jeq", X86_64["clone3"], "nosys", None),
        ("jeq", X86_64["socket"], "domain", None),
        ("jeq", X86_64["socketpair"], "domain", None),
        ("jeq", X86_64["clone"], "clone", None),
        ("ret", RET_ALLOW),
        ("label", "domain"),
        ("ld", 16),
        ("jeq", AF_UNIX, "allow", "deny"),
        ("label", "clone"),
        ("ld", 16),
        ("jset", NAMESPACE_FLAGS, "deny", "allow"),
        ("label", "allow"),
        ("ret", RET_ALLOW),
        ("label", "deny"),
        ("ret", RET_ERRNO | errno.EPERM),
        ("label", "nosys"),
        ("ret", RET_ERRNO | errno.ENOSYS),
        ("label", "kill"),
        ("ret", RET_KILL_PROCESS),
    ]
    return _assemble(program)
