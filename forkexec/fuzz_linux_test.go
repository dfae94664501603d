//go:build linux

package forkexec_test

import (
	"bufio"
	"encoding/hex"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"

	"github.com/forkexec/forkexec/forkexec"
	"github.com/forkexec/forkexec/internal/probe"
)

// stdlibParkingMayOverwrite: the stdlib's Files shuffle parks every
// Files[i] < i, and its error pipe, at the first numbers above Files, and
// so may overwrite a descriptor the child would have inherited there
// (golang/go#61751). forkexec's does not (issue 14).
const stdlibParkingMayOverwrite = true

// filesPalette is what FuzzFiles draws Files from: descriptors of this
// process of several kinds, all close-on-exec as Go makes them, and two
// without close-on-exec that a child inherits unless Files or CloseFDs
// says otherwise, one of them just above the others, where parking goes.
type filesPalette struct {
	fds       []int          // the descriptors, in draw order: a fuzz byte picks one
	targets   map[int]string // what each open descriptor of this process points to
	inherited map[int]string // descriptors without close-on-exec, and their targets
	dir       string         // where reports go
	seq       atomic.Int64
}

var (
	filesPaletteOnce sync.Once
	filesPaletteVal  *filesPalette
	filesPaletteErr  error
)

// The palette lives as long as the process: fuzzing runs the target many
// times in each worker.
func getFilesPalette() (*filesPalette, error) {
	filesPaletteOnce.Do(func() { filesPaletteVal, filesPaletteErr = newFilesPalette() })
	return filesPaletteVal, filesPaletteErr
}

func newFilesPalette() (*filesPalette, error) {
	dir, err := os.MkdirTemp("", "forkexec-fuzz")
	if err != nil {
		return nil, err
	}
	p := &filesPalette{dir: dir, targets: map[int]string{}, inherited: map[int]string{}}
	devnull, err := syscall.Open("/dev/null", syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
	if err != nil {
		return nil, err
	}
	file, err := syscall.Open(filepath.Join(dir, "file"), syscall.O_RDWR|syscall.O_CREAT|syscall.O_CLOEXEC, 0o600)
	if err != nil {
		return nil, err
	}
	dirfd, err := syscall.Open(dir, syscall.O_RDONLY|syscall.O_DIRECTORY|syscall.O_CLOEXEC, 0)
	if err != nil {
		return nil, err
	}
	var pipe [2]int
	if err := syscall.Pipe2(pipe[:], syscall.O_CLOEXEC); err != nil {
		return nil, err
	}
	sock, err := syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, err
	}
	p.fds = []int{devnull, file, dirfd, pipe[0], pipe[1], sock[0], 0, 1, 2}
	// Without close-on-exec: one at the lowest free number, one just above
	// every other palette descriptor.
	low, err := syscall.Dup(file)
	if err != nil {
		return nil, err
	}
	high := slices.Max(append(slices.Clone(p.fds), low, sock[1])) + 1
	if err := syscall.Dup3(pipe[1], high, 0); err != nil {
		return nil, err
	}
	p.fds = append(p.fds, low, high)
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return nil, err
	}
	for _, ent := range ents {
		fd, _ := strconv.Atoi(ent.Name())
		flags, err := fcntl(fd, syscall.F_GETFD)
		if err != nil {
			continue // ReadDir's own
		}
		p.targets[fd] = fdTarget(fd)
		if flags&syscall.FD_CLOEXEC == 0 {
			p.inherited[fd] = p.targets[fd]
		}
	}
	return p, nil
}

// files decodes a fuzz input: one byte per slot, at most 12 slots. A byte
// picks a palette descriptor, -1, the slot's own number (fd[i] == i, open
// or not), or a number that is not open (700 and up).
func (p *filesPalette) files(b []byte) []uintptr {
	if len(b) > 12 {
		b = b[:12]
	}
	files := make([]uintptr, len(b))
	for i, v := range b {
		switch k := int(v) % (len(p.fds) + 3); {
		case k < len(p.fds):
			files[i] = uintptr(p.fds[k])
		case k == len(p.fds):
			files[i] = ^uintptr(0)
		case k == len(p.fds)+1:
			files[i] = uintptr(i)
		default:
			files[i] = uintptr(700 + int(v))
		}
	}
	return files
}

// filesOutcome is what one spawn gave: an error, or the child's table.
type filesOutcome struct {
	err error
	fds map[int]probe.FD
}

// run spawns cprobe with files through spawn and returns what it reported.
func (p *filesPalette) run(spawn func(argv0 string, argv []string, files []uintptr) (int, error), files []uintptr) (filesOutcome, error) {
	report := filepath.Join(p.dir, "report"+strconv.FormatInt(p.seq.Add(1), 10))
	pid, err := spawn(cprobePath, []string{cprobePath, "-o", report}, files)
	if err != nil {
		return filesOutcome{err: err}, nil
	}
	ws, err := waitPid(pid)
	if err != nil {
		return filesOutcome{}, err
	}
	if !ws.Exited() || ws.ExitStatus() != 0 {
		return filesOutcome{}, fmt.Errorf("cprobe: %s", describe(ws))
	}
	b, err := os.ReadFile(report)
	os.Remove(report)
	if err != nil {
		return filesOutcome{}, err
	}
	return filesOutcome{fds: parseCProbeOutput(b).fds}, nil
}

// FuzzFiles holds forkexec.ForkExec against syscall.ForkExec and against
// what POSIX and the documentation say a child gets, for Files lists of 0
// to 12 slots drawn from descriptors of several kinds, repeated, -1,
// fd[i] < i, fd[i] == i and descriptors that are not open, with and
// without CloseFDs. The seed corpus runs in every `go test`. `go test
// -fuzz` cannot build this package (see TestHelperFilesServer); CI fuzzes
// the same comparison through internal/filesfuzz for a bounded time.
//
// The expectations, for a list fd of n slots: slot i gets what fd[i]
// points to, without close-on-exec, or nothing if fd[i] is -1; 0, 1 and 2
// beyond n are closed; above that the child has exactly the parent's
// descriptors without close-on-exec (none with CloseFDs); a descriptor
// that is not open fails the spawn with EBADF. Differences on purpose:
// CloseFDs, which the stdlib does not have, and the inherited descriptors
// the stdlib's parking overwrites and forkexec's keeps (see
// stdlibParkingMayOverwrite).
func FuzzFiles(f *testing.F) {
	requireCProbe(f)
	p, err := getFilesPalette()
	if err != nil {
		f.Fatal(err)
	}
	n := byte(len(p.fds))
	const (
		closed = 0 // + n: -1
		own    = 1 // + n: fd[i] == i
		bad    = 2 // + n: not open
	)
	// Palette order: devnull, file, dir, pipe r, pipe w, socket, 0, 1, 2,
	// inherited low, inherited high.
	f.Add(false, []byte{})
	f.Add(true, []byte{})
	f.Add(false, []byte{6, 7, 8})
	f.Add(true, []byte{6, 7, 8, 0, 1, 2, 3, 4, 5})
	f.Add(false, []byte{5, 4, 3, 2, 1, 0})                   // reverse
	f.Add(false, []byte{8, 7, 6})                            // 2, 1, 0: every fd[i] < i or swapped
	f.Add(false, []byte{1, 1, 1, 1})                         // duplicates
	f.Add(true, []byte{n + closed, 6, n + closed, 0})        // -1
	f.Add(false, []byte{n + own, n + own, n + own, n + own}) // fd[i] == i
	f.Add(true, []byte{6, 7, 8, n + own, n + own, n + own, n + own, n + own, n + own, n + own, n + own, n + own})
	f.Add(false, []byte{0, n + bad})                           // not open
	f.Add(false, []byte{6, 7, 8, 9, 10, 10, 9, 0, 0, 0, 0, 0}) // the inherited ones listed, 12 slots
	f.Add(false, []byte{6, 7, 8, 3, 2, 1, 0})                  // parking
	f.Add(false, []byte{9, 6, 7, 8, 0, 0, 0, 0, 0, 0, 0, 0})   // parking onto the inherited high one
	f.Add(true, []byte{10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0, n + closed})
	f.Fuzz(func(t *testing.T, closeFDs bool, list []byte) {
		for _, d := range p.compare(closeFDs, list) {
			t.Error(d)
		}
	})
}

// compare runs one fuzz input through both and returns what differs.
func (p *filesPalette) compare(closeFDs bool, list []byte) []string {
	files := p.files(list)
	where := fmt.Sprintf("Files %s, CloseFDs %v: ", filesList(files), closeFDs)
	before, err := countFDs()
	if err != nil {
		return []string{err.Error()}
	}
	ref, err := p.run(func(argv0 string, argv []string, files []uintptr) (int, error) {
		return syscall.ForkExec(argv0, argv, &syscall.ProcAttr{Files: files})
	}, files)
	if err != nil {
		return []string{where + "syscall.ForkExec: " + err.Error()}
	}
	got, err := p.run(func(argv0 string, argv []string, files []uintptr) (int, error) {
		return forkexec.ForkExec(argv0, argv, &forkexec.ProcAttr{Files: files, Sys: &forkexec.SysProcAttr{CloseFDs: closeFDs}})
	}, files)
	if err != nil {
		return []string{where + "forkexec.ForkExec: " + err.Error()}
	}
	var diffs []string
	if after, err := countFDs(); err != nil || after != before {
		diffs = append(diffs, fmt.Sprintf("%s%d descriptors open after the spawns, %d before (%v)", where, after, before, err))
	}
	for _, d := range p.check(files, closeFDs, ref, got) {
		diffs = append(diffs, where+d)
	}
	return diffs
}

// TestHelperFilesServer is FuzzFiles for `go test -fuzz`, which cannot
// build this package: its instrumentation grows the child's frames past
// the nosplit limit (the go command exempts the syscall package from it
// for the same reason). internal/filesfuzz's fuzz target runs this binary,
// built without instrumentation, as a server: a line "CLOSEFDS HEX" in on
// stdin, a line "filesfuzz: ok" or "filesfuzz: DIFFERENCES" out.
func TestHelperFilesServer(t *testing.T) {
	skipUnlessHelper(t, "TestHelperFilesServer")
	requireCProbe(t)
	p, err := getFilesPalette()
	if err != nil {
		t.Fatal(err)
	}
	in := bufio.NewScanner(os.Stdin)
	for in.Scan() {
		closeFDs, list, ok := strings.Cut(in.Text(), " ")
		b, err := hex.DecodeString(list)
		if !ok || err != nil {
			t.Fatalf("bad input %q", in.Text())
		}
		diffs := p.compare(closeFDs == "1", b)
		reply := "ok"
		if len(diffs) > 0 {
			reply = strings.ReplaceAll(strings.Join(diffs, "; "), "\n", " ")
		}
		fmt.Printf("filesfuzz: %s\n", reply)
	}
}

// countFDs is openFDs for code that cannot call t.Fatal.
func countFDs() (int, error) {
	ents, err := os.ReadDir("/proc/self/fd")
	return len(ents) - 1, err
}

// check lists how ref (syscall.ForkExec) and got (forkexec.ForkExec,
// CloseFDs as given) differ from the expectations and from each other.
func (p *filesPalette) check(files []uintptr, closeFDs bool, ref, got filesOutcome) []string {
	var diffs []string
	bad := func(format string, args ...any) { diffs = append(diffs, fmt.Sprintf(format, args...)) }
	// A descriptor that is not open fails the spawn with EBADF, in both.
	var wantErr error
	for _, fd := range files {
		if _, open := p.targets[int(fd)]; fd != ^uintptr(0) && !open {
			wantErr = syscall.EBADF
		}
	}
	if ref.err != wantErr || got.err != wantErr {
		bad("errors: syscall %v, forkexec %v, want %v", ref.err, got.err, wantErr)
		return diffs
	}
	if wantErr != nil {
		return diffs
	}
	// Where parking may overwrite an inherited descriptor: the park numbers
	// start above Files (and at n or n+1); the stdlib parks its pipe there
	// too.
	base, parks := len(files), 1
	for i, fd := range files {
		if fd != ^uintptr(0) {
			base = max(base, int(fd)+1)
			if int(fd) < i {
				parks++
			}
		}
	}
	mayBeOverwritten := func(fd int) bool { return stdlibParkingMayOverwrite && fd >= base && fd <= base+parks }
	for _, o := range []struct {
		name             string
		fds              map[int]probe.FD
		closeFDs, stdlib bool
	}{{"syscall", ref.fds, false, true}, {"forkexec", got.fds, closeFDs, false}} {
		for i, fd := range files {
			g, open := o.fds[i]
			switch {
			case fd == ^uintptr(0) && open:
				bad("%s: fd %d open (%s), want closed (-1)", o.name, i, g.Target)
			case fd != ^uintptr(0) && (!open || g.Cloexec || g.Target != p.targets[int(fd)]):
				bad("%s: fd %d = %+v (open %v), want %s without close-on-exec", o.name, i, g, open, p.targets[int(fd)])
			}
		}
		for fd := len(files); fd < 3; fd++ {
			if g, open := o.fds[fd]; open {
				bad("%s: fd %d open (%s), want closed: Files has %d slots", o.name, fd, g.Target, len(files))
			}
		}
		for fd, g := range o.fds {
			if fd < max(len(files), 3) {
				continue
			}
			switch target, inherited := p.inherited[fd]; {
			case o.closeFDs:
				bad("%s: fd %d open (%s) with CloseFDs", o.name, fd, g.Target)
			case !inherited || g.Target != target || g.Cloexec:
				bad("%s: fd %d = %+v: not in Files, and not a descriptor the parent lets children inherit", o.name, fd, g)
			}
		}
		for fd, target := range p.inherited {
			if _, open := o.fds[fd]; fd >= max(len(files), 3) && !o.closeFDs && !open && !(o.stdlib && mayBeOverwritten(fd)) {
				bad("%s: inherited fd %d (%s) missing", o.name, fd, target)
			}
		}
	}
	// And with each other: the same table, but for CloseFDs and parking.
	if len(diffs) == 0 {
		for fd := range maps.Keys(ref.fds) {
			if gfd, ok := got.fds[fd]; ok && gfd != ref.fds[fd] {
				bad("fd %d: syscall %+v, forkexec %+v", fd, ref.fds[fd], gfd)
			}
			if _, ok := got.fds[fd]; !ok && fd < len(files) {
				bad("fd %d: syscall %+v, forkexec closed", fd, ref.fds[fd])
			}
		}
	}
	return diffs
}

// filesList formats files for a message.
func filesList(files []uintptr) string {
	s := make([]string, len(files))
	for i, fd := range files {
		s[i] = strconv.Itoa(int(fd))
	}
	return "[" + strings.Join(s, " ") + "]"
}
