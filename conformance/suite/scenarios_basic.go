package suite

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"
)

// closedFD is the Files value that leaves a child descriptor closed.
const closedFD = ^uintptr(0)

// parkSlots is the length of Files in files-park-keeps-inherited.
const parkSlots = 64

// registerBasic registers the scenarios of Files, Env, argv, Dir, Chroot
// and the errors of starting a program.
func registerBasic() {
	// ---- Files ----
	Register(Scenario{Name: "files-std", Group: "files", Doc: "three /dev/null descriptors on 0, 1, 2",
		Setup: func(c *Ctx) error { return nil }})
	Register(Scenario{Name: "files-nil", Group: "files", Doc: "Files nil: the child has no descriptors",
		Setup: func(c *Ctx) error { c.Attr.Files = nil; return nil }})
	Register(Scenario{Name: "files-empty", Group: "files", Doc: "Files empty, non-nil",
		Setup: func(c *Ctx) error { c.Attr.Files = []uintptr{}; return nil }})
	Register(Scenario{Name: "files-worker-stdio", Group: "files", Doc: "the worker's own 0, 1, 2",
		Setup: func(c *Ctx) error { c.Attr.Files = []uintptr{0, 1, 2}; return nil }})
	Register(Scenario{Name: "files-worker-stdio-reversed", Group: "files", Doc: "the worker's own 2, 1, 0",
		Setup: func(c *Ctx) error { c.Attr.Files = []uintptr{2, 1, 0}; return nil }})
	Register(Scenario{Name: "files-shuffle", Group: "files", Doc: "three named files, rotated",
		Setup: func(c *Ctx) error {
			a, b, cc := c.File("a"), c.File("b"), c.File("c")
			c.Attr.Files = []uintptr{cc, a, b}
			return nil
		}})
	Register(Scenario{Name: "files-repeat", Group: "files", Doc: "the same descriptor on several slots",
		Setup: func(c *Ctx) error {
			a, b := c.File("a"), c.File("b")
			c.Attr.Files = []uintptr{a, a, b, a}
			return nil
		}})
	Register(Scenario{Name: "files-closed-slot", Group: "files", Doc: "-1 in the middle leaves fd 1 closed",
		Setup: func(c *Ctx) error {
			a, b := c.File("a"), c.File("b")
			c.Attr.Files = []uintptr{a, closedFD, b}
			return nil
		}})
	Register(Scenario{Name: "files-all-closed", Group: "files", Doc: "every slot -1",
		Setup: func(c *Ctx) error { c.Attr.Files = []uintptr{closedFD, closedFD, closedFD}; return nil }})
	Register(Scenario{Name: "files-gaps", Group: "files", Doc: "descriptors separated by closed slots",
		Setup: func(c *Ctx) error {
			a, b, cc := c.File("a"), c.File("b"), c.File("c")
			c.Attr.Files = []uintptr{a, closedFD, closedFD, b, closedFD, cc}
			return nil
		}})
	Register(Scenario{Name: "files-eight", Group: "files", Doc: "eight distinct descriptors",
		Setup: func(c *Ctx) error {
			c.Attr.Files = nil
			for i := 0; i < 8; i++ {
				c.Attr.Files = append(c.Attr.Files, c.File(fmt.Sprintf("f%d", i)))
			}
			return nil
		}})
	Register(Scenario{Name: "files-lower-than-index", Group: "files", Doc: "fd[i] < i: low parent descriptors moved up to slot 40+",
		Setup: func(c *Ctx) error {
			a, b := c.File("a"), c.File("b")
			f := make([]uintptr, 45)
			for i := range f {
				f[i] = closedFD
			}
			f[0], f[40], f[44] = b, a, b
			c.Attr.Files = f
			return nil
		}})
	Register(Scenario{Name: "files-swap", Group: "files", Doc: "two descriptors swapped in place (files[a]=b, files[b]=a)",
		Setup: func(c *Ctx) error {
			a, b := c.File("a"), c.File("b")
			n := max(a, b) + 1
			f := make([]uintptr, n)
			for i := range f {
				f[i] = closedFD
			}
			f[0], f[a], f[b] = a, b, a
			c.Attr.Files = f
			return nil
		}})
	Register(Scenario{Name: "files-cycle", Group: "files", Doc: "three descriptors rotated through each other's numbers",
		Setup: func(c *Ctx) error {
			a, b, cc := c.File("a"), c.File("b"), c.File("c")
			n := max(a, b, cc) + 1
			f := make([]uintptr, n)
			for i := range f {
				f[i] = closedFD
			}
			f[a], f[b], f[cc] = b, cc, a
			c.Attr.Files = f
			return nil
		}})
	Register(Scenario{Name: "files-own-index", Group: "files", Doc: "a close-on-exec descriptor already at its own slot (flag must be cleared)",
		Setup: func(c *Ctx) error {
			a := c.File("a")
			f := make([]uintptr, a+1)
			for i := range f {
				f[i] = closedFD
			}
			f[a] = a
			c.Attr.Files = f
			return nil
		}})
	Register(Scenario{Name: "files-high-source", Group: "files", Doc: "a parent descriptor numbered 900 moved to slot 3",
		Setup: func(c *Ctx) error {
			a := c.File("a")
			if err := unix.Dup3(int(a), 900, unix.O_CLOEXEC); err != nil {
				return err
			}
			c.Defer(func() { unix.Close(900) })
			c.Attr.Files = append(c.Std(), 900)
			return nil
		}})
	Register(Scenario{Name: "files-pipe-socket", Group: "files", Doc: "pipe ends and a socketpair end",
		Setup: func(c *Ctx) error {
			r, w := c.Pipe()
			sp, err := syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
			if err != nil {
				return err
			}
			c.Defer(func() { syscall.Close(sp[0]); syscall.Close(sp[1]) })
			c.Attr.Files = []uintptr{r, w, uintptr(sp[0])}
			return nil
		}})
	Register(Scenario{Name: "files-status-flags", Group: "files", Doc: "O_APPEND file and O_NONBLOCK pipe keep their flags",
		Setup: func(c *Ctx) error {
			a := c.MustOpen(filepath.Join(c.Run.Dir, "a"), syscall.O_WRONLY|syscall.O_CREAT|syscall.O_APPEND, 0o666)
			r, w := c.Pipe()
			if err := syscall.SetNonblock(int(w), true); err != nil {
				return err
			}
			c.Attr.Files = []uintptr{r, w, a}
			return nil
		}})
	Register(Scenario{Name: "files-noncloexec-extra", Group: "files", Doc: "a descriptor without close-on-exec outside Files is inherited",
		Setup: func(c *Ctx) error {
			syscall.ForkLock.Lock()
			fd, err := syscall.Open(filepath.Join(c.Run.Dir, "leak"), syscall.O_RDWR|syscall.O_CREAT, 0o666)
			syscall.ForkLock.Unlock()
			if err != nil {
				return err
			}
			c.Defer(func() { syscall.Close(fd) })
			return nil
		}})
	// Files[i] < i is parked above Files while the slots are filled. The
	// stdlib parks at the first numbers above Files (its error pipe, then
	// each such descriptor), replacing what the child would have inherited
	// there (golang/go#61751); forkexec parks at free numbers only (its
	// adapter documents the difference, see KnownDifference).
	Register(Scenario{Name: "files-park-keeps-inherited", Group: "files", Isolated: true,
		Doc: "Files[63] < 63 is parked; descriptors 64 to 68, without close-on-exec and not in Files, are inherited",
		Setup: func(c *Ctx) error {
			inherited := c.File("inherited")
			for fd := parkSlots; fd < parkSlots+5; fd++ {
				if err := unix.Dup3(int(inherited), fd, 0); err != nil { // without close-on-exec
					return err
				}
				c.Defer(func() { unix.Close(fd) })
			}
			f := make([]uintptr, parkSlots)
			for i := range f {
				f[i] = closedFD
			}
			copy(f, c.Std())
			if a := c.File("a"); a < parkSlots-1 {
				f[parkSlots-1] = a
			} else {
				return c.Skip("descriptor %d is not below slot %d", a, parkSlots-1)
			}
			c.Attr.Files = f
			return nil
		}})
	Register(Scenario{Name: "files-long-list", Group: "files", Doc: "300 slots, the last one used",
		Setup: func(c *Ctx) error {
			f := make([]uintptr, 300)
			for i := range f {
				f[i] = closedFD
			}
			copy(f, c.Std())
			f[299] = c.File("last")
			c.Attr.Files = f
			return nil
		}})

	// ---- Env and argv ----
	Register(Scenario{Name: "env-nil", Group: "env", Doc: "Env nil",
		Setup: func(c *Ctx) error { c.Attr.Env = nil; return nil }})
	Register(Scenario{Name: "env-empty", Group: "env", Doc: "Env empty, non-nil",
		Setup: func(c *Ctx) error { c.Attr.Env = []string{}; return nil }})
	Register(Scenario{Name: "env-odd", Group: "env", Doc: "duplicates, no '=', empty string, non-ASCII",
		Setup: func(c *Ctx) error {
			c.Attr.Env = []string{"A=1", "A=2", "NOEQUALS", "", "=x", "U=\u00fc\u4e16", "PATH=/bin"}
			return nil
		}})
	Register(Scenario{Name: "env-large", Group: "env", Doc: "4000 variables of 120 bytes (~480 KiB)",
		Setup: func(c *Ctx) error {
			for i := 0; i < 4000; i++ {
				c.Attr.Env = append(c.Attr.Env, fmt.Sprintf("V%04d=%s", i, strings.Repeat("x", 114)))
			}
			return nil
		}})
	Register(Scenario{Name: "env-too-large", Group: "errors", Doc: "an environment beyond ARG_MAX (E2BIG)",
		Setup: func(c *Ctx) error {
			big := strings.Repeat("y", 128<<10)
			for i := 0; i < 200; i++ {
				c.Attr.Env = append(c.Attr.Env, "B="+big)
			}
			return nil
		}})
	Register(Scenario{Name: "argv-nil", Group: "argv", Doc: "argv nil (argc 0)",
		Setup: func(c *Ctx) error { c.Argv = nil; return nil }})
	Register(Scenario{Name: "argv-odd", Group: "argv", Doc: "argv[0] unrelated to the path, spaces and empty strings",
		Setup: func(c *Ctx) error { c.Argv = []string{"not-the-path", "a b", "", "-", "\u00e9"}; return nil }})
	Register(Scenario{Name: "argv-large", Group: "argv", Doc: "3000 arguments",
		Setup: func(c *Ctx) error {
			for i := 0; i < 3000; i++ {
				c.Argv = append(c.Argv, fmt.Sprintf("arg%d", i))
			}
			return nil
		}})
	Register(Scenario{Name: "argv0-relative-dir", Group: "argv", Doc: "relative program path resolved in Dir",
		Setup: func(c *Ctx) error { c.Argv0 = "./probe"; c.Attr.Dir = c.Run.Dir; return nil }})
	Register(Scenario{Name: "argv0-relative-cwd", Group: "argv", Doc: "relative program path resolved in the parent's cwd",
		Setup: func(c *Ctx) error {
			rel, err := filepath.Rel(c.W.Base, c.Run.Exe)
			if err != nil {
				return err
			}
			c.Argv0 = rel
			return nil
		}})

	// ---- Dir and Chroot ----
	Register(Scenario{Name: "dir-abs", Group: "dir", Doc: "absolute Dir",
		Setup: func(c *Ctx) error { c.Attr.Dir = mkdir(c, "sub"); return nil }})
	Register(Scenario{Name: "dir-relative", Group: "dir", Doc: "Dir relative to the parent's cwd",
		Setup: func(c *Ctx) error {
			rel, err := filepath.Rel(c.W.Base, mkdir(c, "sub"))
			c.Attr.Dir = rel
			return err
		}})
	Register(Scenario{Name: "dir-symlink", Group: "dir", Doc: "Dir through a symlink",
		Setup: func(c *Ctx) error {
			mkdir(c, "real")
			l := filepath.Join(c.Run.Dir, "link")
			c.Attr.Dir = l
			return os.Symlink("real", l)
		}})
	Register(Scenario{Name: "chroot", Group: "chroot", Doc: "Chroot into the run directory (with /proc bound in)", NeedsStatic: true,
		Setup: func(c *Ctx) error { return chroot(c, "") }})
	Register(Scenario{Name: "chroot-dir", Group: "chroot", Doc: "Chroot plus Dir, Dir taken inside the new root", NeedsStatic: true,
		Setup: func(c *Ctx) error { return chroot(c, "/sub") }})
	Register(Scenario{Name: "chroot-relative", Group: "chroot", Doc: "relative Chroot and relative program path inside it", NeedsStatic: true,
		Setup: func(c *Ctx) error {
			if err := chroot(c, "/"); err != nil {
				return err
			}
			rel, err := filepath.Rel(c.W.Base, c.Run.Dir)
			c.Attr.Sys.Chroot = rel
			c.Argv0 = "probe"
			return err
		}})

	// ---- Errors ----
	Register(Scenario{Name: "err-missing-program", Group: "errors", Doc: "program does not exist (ENOENT)",
		Setup: func(c *Ctx) error {
			c.Argv0 = filepath.Join(c.Run.Dir, "nope")
			return nil
		}})
	Register(Scenario{Name: "err-empty-argv0", Group: "errors", Doc: "empty program path",
		Setup: func(c *Ctx) error { c.Argv0 = ""; return nil }})
	Register(Scenario{Name: "err-not-executable", Group: "errors", Doc: "program without exec permission (EACCES)",
		Setup: programFile("plain", "#!/bin/sh\n", 0o644)})
	Register(Scenario{Name: "err-enoexec", Group: "errors", Doc: "executable file of unknown format (ENOEXEC)",
		Setup: programFile("garbage", "\x00\x01\x02 not a program\n", 0o755)})
	Register(Scenario{Name: "err-directory-program", Group: "errors", Doc: "a directory as program (EACCES)",
		Setup: func(c *Ctx) error {
			c.Argv0 = c.Run.Dir
			return nil
		}})
	Register(Scenario{Name: "err-name-too-long", Group: "errors", Doc: "program path longer than PATH_MAX (ENAMETOOLONG)",
		Setup: func(c *Ctx) error {
			c.Argv0 = "/" + strings.Repeat("a/", 2100)
			return nil
		}})
	Register(Scenario{Name: "err-bad-interpreter", Group: "errors", Doc: "script whose interpreter is missing (ENOENT)",
		Setup: programFile("script", "#!/no/such/interpreter\n", 0o755)})
	Register(Scenario{Name: "err-dir-missing", Group: "errors", Doc: "Dir does not exist (ENOENT)",
		Setup: func(c *Ctx) error {
			c.Attr.Dir = filepath.Join(c.Run.Dir, "nope")
			return nil
		}})
	Register(Scenario{Name: "err-dir-not-dir", Group: "errors", Doc: "Dir is a file (ENOTDIR)",
		Setup: func(c *Ctx) error {
			p := filepath.Join(c.Run.Dir, "file")
			c.Attr.Dir = p
			return os.WriteFile(p, nil, 0o644)
		}})
	Register(Scenario{Name: "err-chroot-missing", Group: "errors", Doc: "Chroot does not exist (ENOENT)",
		Setup: func(c *Ctx) error {
			c.Attr.Sys = &syscall.SysProcAttr{Chroot: filepath.Join(c.Run.Dir, "nope")}
			return nil
		}})
	Register(Scenario{Name: "err-chroot-program-outside", Group: "errors", Doc: "program path not inside the new root (ENOENT)",
		Setup: func(c *Ctx) error {
			c.Attr.Sys = &syscall.SysProcAttr{Chroot: mkdir(c, "empty")}
			return nil
		}})
	Register(Scenario{Name: "err-bad-fd", Group: "errors", Doc: "a closed descriptor in Files (EBADF)",
		Setup: func(c *Ctx) error {
			c.Attr.Files = append(c.Attr.Files, 987)
			return nil
		}})
	Register(Scenario{Name: "err-nul-argv0", Group: "errors", Doc: "NUL byte in the program path (EINVAL)",
		Setup: func(c *Ctx) error {
			c.Argv0 += "\x00x"
			return nil
		}})
	Register(Scenario{Name: "err-nul-argv", Group: "errors", Doc: "NUL byte in argv (EINVAL)",
		Setup: func(c *Ctx) error {
			c.Argv = []string{"probe", "a\x00b"}
			return nil
		}})
	Register(Scenario{Name: "err-nul-env", Group: "errors", Doc: "NUL byte in Env (EINVAL)",
		Setup: func(c *Ctx) error {
			c.Attr.Env = []string{"A=a\x00b"}
			return nil
		}})
	Register(Scenario{Name: "err-nul-dir", Group: "errors", Doc: "NUL byte in Dir (EINVAL)",
		Setup: func(c *Ctx) error {
			c.Attr.Dir = "/tmp\x00x"
			return nil
		}})
	Register(Scenario{Name: "err-nul-chroot", Group: "errors", Doc: "NUL byte in Chroot (EINVAL)",
		Setup: func(c *Ctx) error {
			c.Attr.Sys = &syscall.SysProcAttr{Chroot: "/\x00x"}
			return nil
		}})
}

// mkdir makes a directory in the run directory (mode 0777) and returns it.
func mkdir(c *Ctx, name string) string {
	p := filepath.Join(c.Run.Dir, name)
	if err := os.MkdirAll(p, 0o777); err != nil {
		panic(err)
	}
	os.Chmod(p, 0o777)
	return p
}

// chroot prepares the run directory as a root: what the probe reads
// there (on Linux /proc, bound in: see chrootProc) and a /sub directory;
// the program is /probe.
func chroot(c *Ctx, dir string) error {
	mkdir(c, "sub")
	if err := chrootProc(c); err != nil {
		return err
	}
	c.Attr.Sys = &syscall.SysProcAttr{Chroot: c.Run.Dir}
	c.Attr.Dir = dir
	c.Argv0 = "/probe"
	return nil
}

// programFile is a Setup that writes content to name in the run's
// directory, with mode, and makes it the program to start.
func programFile(name, content string, mode os.FileMode) func(*Ctx) error {
	return func(c *Ctx) error {
		c.Argv0 = filepath.Join(c.Run.Dir, name)
		return os.WriteFile(c.Argv0, []byte(content), mode)
	}
}
