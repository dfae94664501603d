//go:build linux

package filesfuzz_test

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// server is forkexec's test binary, built without fuzzing instrumentation,
// running TestHelperFilesServer: it compares syscall.ForkExec and
// forkexec.ForkExec on each Files list it is sent.
type server struct {
	mu  sync.Mutex
	in  io.WriteCloser
	out *bufio.Scanner
	cmd *exec.Cmd
	dir string
}

var (
	serverOnce sync.Once
	serverVal  *server
	serverErr  error
)

func startServer() (*server, error) {
	dir, err := os.MkdirTemp("", "filesfuzz")
	if err != nil {
		return nil, err
	}
	s := &server{dir: dir}
	bin := filepath.Join(dir, "forkexec.test")
	gotool := filepath.Join(os.Getenv("GOROOT"), "bin", "go") // set by go test
	if p, err := exec.LookPath("go"); err == nil {
		gotool = p
	}
	build := exec.Command(gotool, "test", "-c", "-o", bin, ".")
	build.Dir = "../../forkexec"
	if out, err := build.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("building forkexec's test binary: %v\n%s", err, out)
	}
	s.cmd = exec.Command(bin, "-test.run=^TestHelperFilesServer$")
	s.cmd.Dir = "../../forkexec"
	s.cmd.Env = append(os.Environ(), "FORKEXEC_TEST_HELPER=TestHelperFilesServer")
	s.cmd.Stderr = os.Stderr
	if s.in, err = s.cmd.StdinPipe(); err != nil {
		return nil, err
	}
	stdout, err := s.cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	s.out = bufio.NewScanner(stdout)
	s.out.Buffer(nil, 1<<20)
	return s, s.cmd.Start()
}

// compare sends one input and returns the server's verdict: "ok" or the
// differences.
func (s *server) compare(closeFDs bool, list []byte) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	flag := "0"
	if closeFDs {
		flag = "1"
	}
	if _, err := fmt.Fprintf(s.in, "%s %x\n", flag, list); err != nil {
		return "", err
	}
	for s.out.Scan() {
		if v, ok := strings.CutPrefix(s.out.Text(), "filesfuzz: "); ok {
			return v, nil
		}
	}
	return "", fmt.Errorf("the server ended: %v", s.out.Err())
}

func TestMain(m *testing.M) {
	flag.Parse()
	code := m.Run()
	if serverVal != nil {
		serverVal.in.Close()
		serverVal.cmd.Wait()
		os.RemoveAll(serverVal.dir)
	}
	os.Exit(code)
}

// FuzzFiles fuzzes forkexec's FuzzFiles comparison (Files lists through
// syscall.ForkExec and forkexec.ForkExec, against each other and POSIX)
// with `go test -fuzz FuzzFiles ./internal/filesfuzz`. The fuzzer gets no
// coverage from forkexec, which runs uninstrumented in the server, so it
// mutates without guidance. A plain `go test` skips it: forkexec's own
// FuzzFiles runs the seeds.
func FuzzFiles(f *testing.F) {
	if flag.Lookup("test.fuzz").Value.String() == "" {
		f.Skip("only for go test -fuzz; the seeds run in ./forkexec's FuzzFiles")
	}
	f.Add(false, []byte{6, 7, 8})
	f.Add(true, []byte{5, 4, 3, 2, 1, 0})
	f.Add(false, []byte{9, 6, 7, 8, 0, 0, 0, 0, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, closeFDs bool, list []byte) {
		serverOnce.Do(func() { serverVal, serverErr = startServer() })
		if serverErr != nil {
			t.Fatal(serverErr)
		}
		verdict, err := serverVal.compare(closeFDs, list)
		if err != nil {
			t.Fatal(err)
		}
		if verdict != "ok" {
			t.Error(verdict)
		}
	})
}
