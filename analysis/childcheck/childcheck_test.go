package childcheck_test

import (
	"testing"

	"github.com/forkexec/forkexec/analysis/childcheck"
	"golang.org/x/tools/go/analysis/analysistest"
)

func TestAnalyzer(t *testing.T) {
	analysistest.Run(t, analysistest.TestData(), childcheck.Analyzer, "bad", "good")
}
