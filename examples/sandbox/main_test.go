//go:build linux

package main

import (
	"io"
	"os"
	"strings"
	"testing"
)

const busybox = "/usr/bin/busybox" // Debian's busybox-static (.ci/run installs it)

// inSandbox runs busybox sh -c script in a sandbox made by cfg and returns
// its output (stdout and stderr) and exit status.
func inSandbox(t *testing.T, cfg Config, script string) (string, int) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root, or unprivileged user namespaces with a fully visible /proc (tests run as root in CI)")
	}
	if _, err := os.Stat(busybox); err != nil {
		t.Skip("no busybox: apt-get install busybox-static")
	}
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	cfg.Files = []uintptr{0, w.Fd(), w.Fd()}
	status, err := cfg.Run([]string{busybox, "sh", "-c", script})
	w.Close()
	out, _ := io.ReadAll(r)
	r.Close()
	if err != nil {
		t.Fatal(err)
	}
	return string(out), status
}

// TestSandbox checks from inside what the sandboxed program got.
func TestSandbox(t *testing.T) {
	uid := os.Getuid()
	for _, c := range []struct{ script, want string }{
		{"id -u; id -g", itoa(uid) + "\n" + itoa(os.Getgid()) + "\n"},
		{"hostname", "sandbox\n"},
		{"ls /", wantRoot()},
		{"ls /dev", "fd\nfull\nnull\nptmx\npts\nrandom\nshm\nstderr\nstdin\nstdout\ntty\nurandom\nzero\n"},
		{"grep -E '^(CapInh|CapPrm|CapEff|CapBnd|CapAmb|NoNewPrivs|Seccomp):' /proc/self/status | tr -s '\\t ' ' '",
			"CapInh: 0000000000000000\nCapPrm: 0000000000000000\nCapEff: 0000000000000000\nCapBnd: 0000000000000000\nCapAmb: 0000000000000000\nNoNewPrivs: 1\nSeccomp: 2\n"},
		// PID 1 of its namespace, which no signal from inside it kills
		// unless it has a handler, not even SIGKILL; and it sees only its
		// own processes.
		{"echo $$; kill -TERM $$; kill -KILL $$; echo alive; echo /proc/[0-9]*", "1\nalive\n/proc/1\n"},
		{"ulimit -n; ulimit -c; ulimit -u", "1024\n0\n1024\n"},
		{"touch /usr/x 2>&1; touch /x 2>&1; touch /tmp/x && echo /tmp writable",
			"touch: /usr/x: Read-only file system\ntouch: /x: Read-only file system\n/tmp writable\n"},
		{"mount | grep -E ' on (/|/usr|/proc|/tmp) ' | cut -d' ' -f3,6 | cut -d, -f1", "/ (ro\n/usr (ro\n/proc (rw\n/tmp (rw\n"},
		{"cat /proc/self/uid_map | tr -s ' ' ' '", " " + itoa(uid) + " " + itoa(uid) + " 1\n"},
		{"ip link 2>/dev/null | grep -c '^[0-9]'; cat /proc/net/dev | grep -c ':'", "1\n1\n"}, // only lo: a new network namespace
	} {
		out, status := inSandbox(t, Config{Hostname: "sandbox"}, c.script)
		if out != c.want || status != 0 {
			t.Errorf("%s:\n%s(status %d), want\n%s", c.script, out, status, c.want)
		}
	}
}

// TestSandboxSeccomp: a call the filter refuses fails inside the sandbox,
// and only because of the filter.
func TestSandboxSeccomp(t *testing.T) {
	const script = "unshare -U true 2>&1; echo $?"
	out, _ := inSandbox(t, Config{Hostname: "sandbox"}, script)
	if out != "unshare: unshare(0x10000000): Operation not permitted\n1\n" {
		t.Errorf("with the filter: %q", out)
	}
	out, _ = inSandbox(t, Config{Hostname: "sandbox", NoSeccomp: true}, script)
	if out != "0\n" {
		t.Errorf("without the filter: %q, want the call to succeed", out)
	}
}

// TestSandboxExitStatus: the program's exit status comes back as the
// sandbox's.
func TestSandboxExitStatus(t *testing.T) {
	if _, status := inSandbox(t, Config{Hostname: "sandbox"}, "exit 7"); status != 7 {
		t.Errorf("exit 7: status %d", status)
	}
}

// wantRoot is what ls / shows inside: the host's directories of hostDirs
// that exist, and what the sandbox adds.
func wantRoot() string {
	names := []string{"dev", "proc", "tmp"}
	for _, d := range hostDirs {
		if _, err := os.Lstat(d); err == nil {
			names = append(names, strings.TrimPrefix(d, "/"))
		}
	}
	sortStrings(names)
	return strings.Join(names, "\n") + "\n"
}

func sortStrings(s []string) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

func itoa(n int) string {
	if n < 10 {
		return string(rune('0' + n))
	}
	return itoa(n/10) + string(rune('0'+n%10))
}
