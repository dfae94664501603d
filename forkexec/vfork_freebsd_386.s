#include "textflag.h"

// func rawVforkSyscall(trap, a1, a2, a3 uintptr) (r1 uintptr, err syscall.Errno)
//
// FreeBSD/386 takes system call arguments from the user stack, starting one
// word above the stack pointer (where a C caller's return address would be).
// Popping our return address into SI does two things at once: it keeps the
// address out of the stack the vfork child goes on using (SI is callee-saved
// and the kernel restores it for the parent), and it leaves trap's slot as
// that word, so a1, a2 and a3 are exactly where the kernel reads them.
//
// Failure is the carry flag, with the errno in AX.
TEXT ·rawVforkSyscall(SB),NOSPLIT|NOFRAME,$0-24
	MOVL	trap+0(FP), AX
	POPL	SI
	INT	$0x80
	PUSHL	SI
	JCC	ok
	MOVL	$-1, r1+16(FP)
	MOVL	AX, err+20(FP)
	RET
ok:
	MOVL	AX, r1+16(FP)
	MOVL	$0, err+20(FP)
	RET
