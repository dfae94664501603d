package suite_test

import (
	"os"
	"testing"

	"github.com/forkexec/forkexec/conformance/probe"
	"github.com/forkexec/forkexec/conformance/suite"
)

// threadIDs returns the ids of this process's threads.
func threadIDs(t *testing.T) map[string]bool {
	ents, err := os.ReadDir("/proc/self/task")
	if err != nil {
		t.Skip("no /proc/self/task")
	}
	ids := map[string]bool{}
	for _, e := range ents {
		ids[e.Name()] = true
	}
	return ids
}

// TestRunsKeepTheirThreads checks that running scenarios that are not
// Isolated ends no thread of the worker. Under qemu-user a thread's exit
// holds the emulator's clone_lock, and a child forked meanwhile inherits
// it held and deadlocks in exit(2) after a failed exec: the emulated
// columns hung when each run discarded its locked thread.
func TestRunsKeepTheirThreads(t *testing.T) {
	dir := t.TempDir()
	p, err := probe.Build(dir)
	if err != nil {
		t.Skip("no probe: ", err)
	}
	w := &suite.Worker{Probe: p, Base: dir}
	scen := []*suite.Scenario{suite.Lookup("files-std"), suite.Lookup("err-missing-program")}
	for _, s := range scen {
		if s == nil || s.Isolated {
			t.Fatal("the scenarios this test runs are gone or now Isolated")
		}
	}
	w.RunScenario(scen[0], suite.Stdlib) // the runtime's threads for a run
	before := threadIDs(t)
	for i := 0; i < 20; i++ {
		for _, s := range scen {
			for _, impl := range []suite.Impl{suite.Stdlib, suite.Forkexec} {
				if rec := w.RunScenario(s, impl); rec.Error != "" {
					t.Fatalf("%s with %s: %s", s.Name, impl.Name(), rec.Error)
				}
			}
		}
	}
	after := threadIDs(t)
	for id := range before {
		if !after[id] {
			t.Errorf("thread %s ended during the runs", id)
		}
	}
}
