package cli

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/onepipe/onepipe/internal/plan"
	"github.com/onepipe/onepipe/internal/release"
	"github.com/onepipe/onepipe/pipeline"
)

func TestStageLine(t *testing.T) {
	for _, tt := range []struct {
		e    pipeline.StageResult
		want string
	}{
		{pipeline.StageResult{Stage: "test", Status: pipeline.StatusStarted}, "onepipe: test started"},
		{pipeline.StageResult{Stage: "test", Status: pipeline.StatusPassed, Duration: 8100 * time.Millisecond, Detail: "11 passed"}, "onepipe: test passed in 8.1s: 11 passed"},
		{pipeline.StageResult{Stage: "lint", Status: pipeline.StatusFailed, Duration: time.Second, Detail: "lint: 2 findings\nmore"}, "onepipe: lint failed in 1.0s: lint: 2 findings"},
		{pipeline.StageResult{Stage: "publish", Status: pipeline.StatusSkipped, Detail: "an earlier stage failed"}, "onepipe: publish skipped: an earlier stage failed"},
	} {
		if got := stageLine(tt.e); got != tt.want {
			t.Errorf("stageLine = %q, want %q", got, tt.want)
		}
	}
}

func TestProgressAndOutputFlagsAreChecked(t *testing.T) {
	src := exampleDir(t, "tornado")
	file := filepath.Join(t.TempDir(), "out.txt")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"run", "--source", src, "--progress", "fancy"}, `--progress "fancy": use auto, stages, tty or plain`},
		{[]string{"test", "--source", src, "--output", "yaml"}, `--output "yaml": use text or json`},
		{[]string{"run", "--source", src, "--timeout", "0s"}, "--timeout 0s: give a positive duration"},
		{[]string{"lint", "--source", src, "--timeout", "-5m"}, "--timeout -5m0s: give a positive duration"},
		{[]string{"test", "--source", src, "--out", file}, "--out " + file + " is a file: give a folder for the reports"},
		{[]string{"test", "--source", src, "--out", filepath.Join(file, "sub")}, "cannot create the folder"},
	} {
		r := run(t, nil, tt.args...)
		if r.code != ExitUsage || !strings.Contains(r.err, tt.want) {
			t.Errorf("onepipe %v: exit %d %q; want 2 and %q", tt.args, r.code, r.err, tt.want)
		}
	}
}

func TestPrintJSON(t *testing.T) {
	p := &plan.Plan{Release: release.Decision{Version: "v1.2.3"}, EnvName: "prod"}
	r := &pipeline.Report{Published: []pipeline.Published{{Ref: "r.example.com/shop:v1.2.3", Digest: "sha256:abc"}}}
	r.Skip(pipeline.StageDeploy, "publish failed")
	var out bytes.Buffer
	if err := printJSON(&out, p, r, "/tmp/out", errors.New("publish r.example.com/shop:v1.2.3: registry refused the credentials\ndetail")); err != nil {
		t.Fatal(err)
	}
	var got jsonSummary
	if err := json.Unmarshal(out.Bytes(), &got); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out.String())
	}
	if got.Passed || got.Version != "v1.2.3" || got.Environment != "prod" || len(got.Published) != 1 || got.Published[0].Digest != "sha256:abc" ||
		len(got.Stages) != 1 || got.Stages[0].Status != "skipped" || strings.Contains(got.Error, "\n") || got.Reports != "/tmp/out" {
		t.Errorf("summary = %+v", got)
	}
}
