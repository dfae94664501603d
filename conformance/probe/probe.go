// Package probe builds and reads the conformance probe: a small C program
// that reports, as JSON, exactly what a process inherited across fork and
// exec.
//
// The probe is C rather than Go because the Go runtime changes signal
// handlers and the signal mask before main runs. It reads /proc and prctl
// on Linux, sysctl and procctl on FreeBSD, where the fields with no
// FreeBSD meaning (namespaces, cgroup, id maps, oom_score_adj, ...) are
// absent from the report; the FreeBSD branch has not run on FreeBSD yet. It is compiled from the
// embedded probe.c with the machine's C compiler (cc, or $CC), statically
// when the C library allows it (cc -static) so that it can run inside a
// chroot holding nothing but itself; otherwise dynamically, and chroot
// scenarios are then skipped with a reason.
//
// Reporting channel: the probe takes nothing of its own from argv, the
// environment or the descriptor table, since those are what is under test.
// It writes "report.json" in the directory of the path it was executed as
// (AT_EXECFN), after gathering everything and with an O_CLOEXEC
// descriptor, via a temporary name and rename. Each run therefore gets its
// own directory holding a hard link to the probe; see [Probe.NewRun].
package probe

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
)

//go:embed c/probe.c
var source []byte

// Source returns the C source of the probe.
func Source() []byte { return source }

// Probe is a built probe executable.
type Probe struct {
	// Path is the absolute path of the executable.
	Path string
	// Static reports whether it is statically linked (usable in a chroot).
	Static bool
	// Note explains how it was built (compiler, and why not static).
	Note string
}

// Build compiles the probe into dir and returns it. It tries a static
// build first and falls back to a dynamic one.
func Build(dir string) (*Probe, error) {
	// $CC as make and cgo read it: a command, possibly with arguments.
	ccArgs := strings.Fields(os.Getenv("CC"))
	if len(ccArgs) == 0 {
		ccArgs = []string{"cc"}
	}
	cc, ccArgs := ccArgs[0], ccArgs[1:]
	src := filepath.Join(dir, "probe.c")
	if err := os.WriteFile(src, source, 0o644); err != nil {
		return nil, err
	}
	out := filepath.Join(dir, "probe")
	static := exec.Command(cc, append(ccArgs, "-static", "-O2", "-o", out, src)...)
	sout, serr := static.CombinedOutput()
	if serr == nil {
		return &Probe{Path: out, Static: true, Note: cc + " -static"}, nil
	}
	dyn := exec.Command(cc, append(ccArgs, "-O2", "-o", out, src)...)
	dout, derr := dyn.CombinedOutput()
	if derr != nil {
		return nil, fmt.Errorf("building probe with %s: %v\n%s", cc, derr, dout)
	}
	return &Probe{Path: out, Static: false,
		Note: fmt.Sprintf("%s (dynamic: -static failed: %s)", cc, firstLine(string(sout)))}, nil
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return s
}

var runSeq atomic.Int64

// Run is one directory prepared for one execution of the probe.
type Run struct {
	// Dir is the run's directory (mode 0777 so that a child running under
	// another uid can write its report).
	Dir string
	// Exe is the absolute path of the probe's hard link inside Dir.
	Exe string
}

// NewRun makes a fresh run directory under base holding a hard link to
// the probe (falling back to a copy across file systems). Linking rather
// than writing avoids ETXTBSY races with concurrent forks.
func (p *Probe) NewRun(base string) (*Run, error) {
	dir := filepath.Join(base, fmt.Sprintf("run%d", runSeq.Add(1)))
	if err := os.Mkdir(dir, 0o777); err != nil {
		return nil, err
	}
	if err := os.Chmod(dir, 0o777); err != nil {
		return nil, err
	}
	exe := filepath.Join(dir, "probe")
	if err := os.Link(p.Path, exe); err != nil {
		data, rerr := os.ReadFile(p.Path)
		if rerr != nil {
			return nil, rerr
		}
		if werr := os.WriteFile(exe, data, 0o755); werr != nil {
			return nil, werr
		}
	}
	return &Run{Dir: dir, Exe: exe}, nil
}

// ReportPath is where the probe of this run writes its report.
func (r *Run) ReportPath() string { return filepath.Join(r.Dir, "report.json") }

// Read loads the run's report.
func (r *Run) Read() (*Report, error) {
	data, err := os.ReadFile(r.ReportPath())
	if err != nil {
		return nil, err
	}
	return Parse(data)
}

// Remove deletes the run directory.
func (r *Run) Remove() { os.RemoveAll(r.Dir) }

// FD is one open descriptor as the probe saw it.
type FD struct {
	FD        int    `json:"fd"`
	Target    string `json:"target"`
	Cloexec   bool   `json:"cloexec"`
	Flags     int    `json:"flags"`
	TTY       bool   `json:"tty,omitempty"`
	Tcgetpgrp int    `json:"tcgetpgrp,omitempty"`
}

// Report is what the probe reports.
type Report struct {
	Argv        []string             `json:"argv"`
	Env         []string             `json:"env"`
	Execfn      string               `json:"execfn"`
	Cwd         string               `json:"cwd"`
	Root        string               `json:"root"`
	UID         []uint32             `json:"uid"` // real, effective, saved
	GID         []uint32             `json:"gid"` // real, effective, saved
	Groups      []uint32             `json:"groups"`
	Pid         int                  `json:"pid"`
	Ppid        int                  `json:"ppid"`
	Pgid        int                  `json:"pgid"`
	Sid         int                  `json:"sid"`
	TTYNr       int64                `json:"tty_nr"`
	Tpgid       int64                `json:"tpgid"`
	DevTTY      bool                 `json:"devtty"`
	DevTTYPgrp  int                  `json:"devtty_pgrp"`
	DevTTYErrno int                  `json:"devtty_errno"`
	Signals     map[string]string    `json:"signals"` // SigPnd ShdPnd SigBlk SigIgn SigCgt hex masks (FreeBSD: no ShdPnd)
	Status      map[string]string    `json:"status"`  // selected /proc/self/status lines (FreeBSD: Umask, TracerPid)
	Pdeathsig   int                  `json:"pdeathsig"`
	NoNewPrivs  int                  `json:"no_new_privs"`
	Dumpable    int                  `json:"dumpable"`
	Keepcaps    int                  `json:"keepcaps"`
	Rlimits     map[string][2]string `json:"rlimits"`
	FDs         []FD                 `json:"fds"`
	NS          map[string]string    `json:"ns"`
	Cgroup      string               `json:"cgroup"`
	UIDMap      string               `json:"uid_map"`
	GIDMap      string               `json:"gid_map"`
	Setgroups   string               `json:"setgroups"`
	RootMount   string               `json:"root_mount_optional"`
	Hostname    string               `json:"hostname"`
	OOMScoreAdj string               `json:"oom_score_adj"`
	// Kernel and Libc describe the machine ("Linux 6.1.0 x86_64", "glibc
	// 2.36", the version the probe was built against): recorded with a
	// run, never compared.
	Kernel string `json:"kernel"`
	Libc   string `json:"libc"`
}

// Parse decodes a report.
func Parse(data []byte) (*Report, error) {
	var r Report
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, fmt.Errorf("probe report: %v", err)
	}
	return &r, nil
}
