/*
 * deny-write-execute COMMAND [ARG...]: runs COMMAND under the seccomp rule that systemd's
 * MemoryDenyWriteExecute=yes installs (systemd.exec(5); systemd src/shared/seccomp-util.c,
 * seccomp_memory_deny_write_execute), so a test can show whether a program runs under it without systemd as PID 1:
 *   mmap(..., prot, ...)            with PROT_WRITE and PROT_EXEC both set  -> EPERM
 *   mprotect / pkey_mprotect(prot)  with PROT_EXEC set                      -> EPERM
 *   shmat(..., shmflg)              with SHM_EXEC set                       -> EPERM
 * x86-64 only (the tests run it on the build machine); any other architecture exits 2.
 * The filter is inherited by every thread and child of COMMAND (seccomp(2)).
 */
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/shm.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef __x86_64__
int main(void) { fputs("deny-write-execute: x86-64 only\n", stderr); return 2; }
#else

/* The low 32 bits of syscall argument n (little-endian): prot and shmflg are ints. */
#define ARG_LO(n) (offsetof(struct seccomp_data, args) + (n) * sizeof(__u64))

int main(int argc, char **argv)
{
    if (argc < 2) {
        fputs("usage: deny-write-execute COMMAND [ARG...]\n", stderr);
        return 2;
    }

    struct sock_filter filter[] = {
        /* 0 */ BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
        /* 1 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
        /* 2 */ BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS), /* x32 or i386 calls: not ours to allow */
        /* 3 */ BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
        /* 4 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_mmap, 4, 0),
        /* 5 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_mprotect, 6, 0),
        /* 6 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_pkey_mprotect, 5, 0),
        /* 7 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_shmat, 6, 0),
        /* 8 */ BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
        /* 9: mmap */
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, ARG_LO(2)),
        BPF_STMT(BPF_ALU | BPF_AND | BPF_K, PROT_WRITE | PROT_EXEC),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, PROT_WRITE | PROT_EXEC, 5, 4),
        /* 12: mprotect, pkey_mprotect */
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, ARG_LO(2)),
        BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, PROT_EXEC, 3, 2),
        /* 14: shmat */
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, ARG_LO(2)),
        BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, SHM_EXEC, 1, 0),
        /* 16 */ BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
        /* 17 */ BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (EPERM & SECCOMP_RET_DATA)),
    };
    struct sock_fprog program = { .len = sizeof(filter) / sizeof(filter[0]), .filter = filter };

    /* Without NO_NEW_PRIVS an unprivileged process may not install a filter (seccomp(2)); systemd sets it too. */
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 || prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &program) != 0) {
        fprintf(stderr, "deny-write-execute: cannot install the seccomp filter: %s\n", strerror(errno));
        return 2;
    }

    execvp(argv[1], argv + 1);
    fprintf(stderr, "deny-write-execute: cannot run %s: %s\n", argv[1], strerror(errno));
    return 127;
}
#endif
