//go:build linux

package main

import (
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/forkexec/forkexec/conformance/suite"
)

// buildCommand builds this command into a fresh directory readable by
// everyone (the non-root test runs it as nobody).
func buildCommand(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and runs the command (-short)")
	}
	dir := t.TempDir()
	os.Chmod(dir, 0o755)
	os.Chmod(filepath.Dir(dir), 0o755) // the test's own directory
	bin := filepath.Join(dir, "conformance")
	if b, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, b)
	}
	return bin
}

// runCommand runs the command and returns its stdout, stderr and exit
// status.
func runCommand(t *testing.T, bin string, args ...string) (string, string, int) {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"-q"}, args...)...)
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case err == nil:
		return stdout.String(), stderr.String(), 0
	case errors.As(err, &ee):
		return stdout.String(), stderr.String(), ee.ExitCode()
	}
	t.Fatalf("%s %v: %v", bin, args, err)
	return "", "", -1
}

func TestExitStatus(t *testing.T) {
	bin := buildCommand(t)
	missing := filepath.Join(t.TempDir(), "missing.json")
	for _, tc := range []struct {
		name   string
		args   []string
		status int
		stderr string // part of the expected message
	}{
		{"one scenario", []string{"-run", "^files-std$"}, 0, ""},
		{"unknown arch", []string{"-arch", "foo"}, 2, `unknown arch "foo"`},
		{"arch twice", []string{"-arch", "host," + suite.HostArch()}, 2, "given twice"},
		{"unknown implementation", []string{"-impl", "nope", "-run", "^files-std$"}, 2, `unknown implementation "nope"`},
		{"run matches nothing", []string{"-run", "^no-such-scenario$"}, 2, "no scenario matches"},
		{"bad regexp", []string{"-run", "("}, 2, "-run"},
		{"unknown flag", []string{"-no-such-flag"}, 2, "no-such-flag"},
		{"stray argument", []string{"stray"}, 2, "unexpected arguments"},
		{"unreadable compare file", []string{"-compare", missing}, 2, "-compare"},
		// No qemu in an empty directory: the arm64 column runs nothing.
		{"column ran nothing", []string{"-arch", "arm64", "-qemu-dir", t.TempDir(), "-run", "^files-std$"}, 1, "no scenario ran on arm64"},
		{"column ran nothing, allowed", []string{"-arch", "arm64", "-qemu-dir", t.TempDir(), "-run", "^files-std$", "-allow-empty"}, 0, ""},
		// The FreeBSD column is not run on Linux by design; that alone
		// does not fail.
		{"freebsd column", []string{"-arch", "host,freebsd", "-run", "^files-std$"}, 0, ""},
		// ... but a table of the FreeBSD column alone ran nothing.
		{"freebsd column alone", []string{"-arch", "freebsd", "-run", "^files-std$"}, 1, "no scenario ran on freebsd"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			stdout, stderr, status := runCommand(t, bin, tc.args...)
			if status != tc.status {
				t.Errorf("exit status %d, want %d\nstdout:\n%s\nstderr:\n%s", status, tc.status, stdout, stderr)
			}
			if !strings.Contains(stderr, tc.stderr) {
				t.Errorf("stderr does not mention %q:\n%s", tc.stderr, stderr)
			}
		})
	}
}

// TestNotApplicable: the stdlib under test gets no credit for
// forkexec's extensions.
func TestNotApplicable(t *testing.T) {
	bin := buildCommand(t)
	stdout, stderr, status := runCommand(t, bin, "-impl", "syscall", "-run", "^(ext-reset-signals|ext-closefds-off|files-std)$")
	if status != 0 {
		t.Fatalf("exit status %d\n%s%s", status, stdout, stderr)
	}
	for _, want := range []string{
		"ext-reset-signals [" + suite.HostArch() + "]: not applicable: syscall lacks ResetSignals",
		"ext-closefds-off [" + suite.HostArch() + "]: not applicable: syscall lacks CloseFDs",
		"same 1, known 0, ok 0, not run 0, n/a 2,",
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, stdout)
		}
	}
}

// TestCompareAndHTML records a run as JSON, alters the record as another
// machine might have produced it, and checks that -compare reports the
// changes per scenario and field and that the HTML report shows the grid.
func TestCompareAndHTML(t *testing.T) {
	bin := buildCommand(t)
	dir := t.TempDir()
	stdout, stderr, status := runCommand(t, bin, "-json", "-run", "^(files-std|env-nil|setsid)$")
	if status != 0 {
		t.Fatalf("-json: exit status %d\n%s", status, stderr)
	}
	var rec suite.Outcome
	if err := json.Unmarshal([]byte(stdout), &rec); err != nil {
		t.Fatal(err)
	}
	if rec.Env.Kernel == "" || rec.Env.Kernel == "unknown" || rec.Env.Libc == "" || !strings.HasPrefix(rec.Env.Go, "go") {
		t.Errorf("environment not recorded: %+v", rec.Env)
	}
	if len(rec.Results) != 3 || rec.Results[0].Fields["fd.count"] == "" {
		t.Fatalf("record lacks results or their fields: %+v", rec.Results)
	}
	// The same record compares unchanged.
	same := filepath.Join(dir, "same.json")
	os.WriteFile(same, []byte(stdout), 0o644)
	out, _, status := runCommand(t, bin, "-compare", same, "-run", "^(files-std|env-nil|setsid)$")
	if status != 0 || !strings.Contains(out, "no change in 3 results") {
		t.Errorf("-compare with itself: status %d, want no change:\n%s", status, out)
	}
	// Another machine: a different kernel, setsid was DIFFERS there and
	// its child had another sid; env-nil had one more descriptor.
	rec.Env.Kernel = "Linux 5.4.0 x86_64"
	for i, r := range rec.Results {
		switch r.Scenario {
		case "setsid":
			rec.Results[i].Status = suite.Differs
			rec.Results[i].Fields["sid"] = "$parent.sid"
		case "env-nil":
			rec.Results[i].Fields["fd.count"] = "99"
		}
	}
	data, _ := json.Marshal(rec)
	old := filepath.Join(dir, "old.json")
	os.WriteFile(old, data, 0o644)
	html := filepath.Join(dir, "report.html")
	out, stderr, status = runCommand(t, bin, "-compare", old, "-html", html, "-run", "^(files-std|env-nil|setsid)$")
	if status != 0 {
		t.Fatalf("-compare: exit status %d\n%s", status, stderr)
	}
	for _, want := range []string{
		"changes against the recorded run (kernel Linux 5.4.0 x86_64",
		"setsid [" + suite.HostArch() + "]: DIFFERS -> same",
		"sid [" + suite.HostArch() + "]: $parent.sid -> $child in setsid",
		"fd.count [" + suite.HostArch() + "]: 99 -> ",
		"2 of 3 results changed (1 verdicts)",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("-compare output lacks %q:\n%s", want, out)
		}
	}
	page, err := os.ReadFile(html)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"<th>" + suite.HostArch() + "</th>",
		`<td class="name" title="Setsid">setsid</td>`,
		`class="c same changed"`,
		"same 3, known 0, ok 0",
	} {
		if !strings.Contains(string(page), want) {
			t.Errorf("HTML report lacks %q", want)
		}
	}
}

// TestCompareTwoRuns: two runs on one machine compare equal, among them
// the scenarios whose errors name a path in the run's own directory
// (masked as $RUN when recorded) and one with such a path in its fields.
func TestCompareTwoRuns(t *testing.T) {
	bin := buildCommand(t)
	const run = "^(ext-spawn-(missing-program|enoexec|dir-missing|chroot-missing)|err-(missing-program|enoexec|dir-missing|chroot-missing)|files-park-keeps-inherited)$"
	stdout, stderr, status := runCommand(t, bin, "-json", "-run", run)
	if status != 0 {
		t.Fatalf("-json: exit status %d\n%s", status, stderr)
	}
	if !strings.Contains(stdout, "exec $RUN/nope") {
		t.Errorf("recorded errors do not show the run directory as $RUN:\n%.3000s", stdout)
	}
	rec := filepath.Join(t.TempDir(), "run.json")
	os.WriteFile(rec, []byte(stdout), 0o644)
	out, stderr, status := runCommand(t, bin, "-compare", rec, "-run", run)
	if status != 0 || !strings.Contains(out, "no change in 9 results") {
		t.Errorf("second run against the first: status %d, want no change:\n%s%s", status, out, stderr)
	}
}

// TestNonRoot runs the credential scenarios as nobody: not run, needing
// root, and the run passes.
func TestNonRoot(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to switch to nobody")
	}
	setpriv, err := exec.LookPath("setpriv")
	if err != nil {
		t.Skip("no setpriv")
	}
	bin := buildCommand(t)
	cmd := exec.Command(setpriv, "--reuid=65534", "--regid=65534", "--clear-groups", bin, "-q",
		"-run", "^(cred-uid-gid|cred-nosetgroups|err-cred-nonroot|parent-nonroot|files-std)$")
	cmd.Dir = "/"
	cmd.Env = append(os.Environ(), "HOME=/nonexistent")
	b, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("as nobody: %v\n%s", err, b)
	}
	for _, want := range []string{
		"cred-uid-gid [", "]: not run: needs root",
		"same 1, known 0, ok 0, not run 4,",
	} {
		if !strings.Contains(string(b), want) {
			t.Errorf("output as nobody lacks %q:\n%s", want, b)
		}
	}
}

// TestQemuDir runs a few scenarios under qemu-user for arm64, with the
// qemu binaries taken from the directory given by -qemu-dir, whichever of
// the two Debian names they have. Skipped where qemu-user is not
// installed (CI installs it in .ci/conformance.sh, which then runs every
// arch).
func TestQemuDir(t *testing.T) {
	dir := ""
	for _, name := range []string{"qemu-aarch64", "qemu-aarch64-static"} {
		if p, err := exec.LookPath(name); err == nil {
			dir = filepath.Dir(p)
			break
		}
	}
	if dir == "" {
		t.Skip("no qemu-aarch64 installed")
	}
	bin := buildCommand(t)
	stdout, stderr, status := runCommand(t, bin, "-arch", "arm64", "-qemu-dir", dir,
		"-run", "^(files-std|err-missing-program|ext-spawn-missing-program)$")
	if status != 0 {
		t.Fatalf("exit status %d\n%s\n%s", status, stdout, stderr)
	}
	for _, want := range []string{"same 2, known 0, ok 1, not run 0", "qemu-user "} {
		if !strings.Contains(stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, stdout)
		}
	}
}
