package pipeline

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
)

func TestReportStatuses(t *testing.T) {
	r := &Report{}
	ctx := context.Background()
	if err := r.do(ctx, StageTest, false, func(context.Context) (string, error) { return "3 passed", nil }); err != nil {
		t.Fatal(err)
	}
	if err := r.do(ctx, StageLint, true, func(context.Context) (string, error) { return "", errors.New("2 findings") }); err != nil {
		t.Fatalf("allowed failure returned %v", err)
	}
	if err := r.do(ctx, StagePack, false, func(context.Context) (string, error) { return "", errors.New("no Dockerfile") }); err == nil {
		t.Fatal("blocking failure returned nil")
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	err := r.do(cctx, StagePublish, false, func(ctx context.Context) (string, error) { return "", ctx.Err() })
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled stage returned %v", err)
	}
	r.Skip(StageDeploy, "publish failed")

	want := map[Stage]Status{StageTest: StatusPassed, StageLint: StatusAllowed, StagePack: StatusFailed, StagePublish: StatusCancelled, StageDeploy: StatusSkipped}
	for s, st := range want {
		if got := r.Status(s); got != st {
			t.Errorf("%s: status %q, want %q", s, got, st)
		}
	}
	var buf bytes.Buffer
	r.Print(&buf)
	out := buf.String()
	for _, s := range []string{"STAGE", "test", "passed", "3 passed", "failed (allowed)", "2 findings", "no Dockerfile", "cancelled", "skipped"} {
		if !strings.Contains(out, s) {
			t.Errorf("summary lacks %q:\n%s", s, out)
		}
	}
}

func TestFlowOut(t *testing.T) {
	if got := (Flow{}).Out("junit.xml"); got != "" {
		t.Errorf("Out without OutDir = %q", got)
	}
	if got := (Flow{OutDir: "/tmp/o"}).Out("junit.xml"); got != "/tmp/o/junit.xml" {
		t.Errorf("Out = %q", got)
	}
	f := Flow{Stages: []Stage{StageLint}}
	if f.wants(StageTest) || !f.wants(StageLint) || !(Flow{}).wants(StagePack) {
		t.Error("wants() disagrees with Stages")
	}
}

func TestExplainKeepsPlainErrors(t *testing.T) {
	plain := errors.New("boom")
	if Explain(plain) != plain {
		t.Error("Explain changed a plain error")
	}
	got := Explain(errors.New("input: container.from.withExec resolve: process \"pytest\" did not complete successfully: exit code: 2\nstack..."))
	if strings.Contains(got.Error(), "\n") || strings.HasPrefix(got.Error(), "input:") {
		t.Errorf("Explain = %q", got)
	}
}

func TestRunThenStepsInOrderAndSkipAfterFailure(t *testing.T) {
	var ran []Stage
	step := func(s Stage, err error) Step {
		return Step{Stage: s, Run: func(context.Context, *Report) (string, error) {
			ran = append(ran, s)
			return "did " + string(s), err
		}}
	}
	p := &Pipeline{}
	f := Flow{
		Stages: []Stage{"none"}, // no checks: only the later steps run
		Then:   []Step{step(StageCluster, nil), step(StageDeploy, errors.New("rollout timed out")), step("smoke", nil)},
	}
	r, err := p.Run(context.Background(), f)
	if err == nil || !strings.Contains(err.Error(), "rollout timed out") {
		t.Fatalf("Run error = %v", err)
	}
	if len(ran) != 2 || ran[0] != StageCluster || ran[1] != StageDeploy {
		t.Errorf("ran %v, want cluster then deploy", ran)
	}
	if r.Status(StageCluster) != StatusPassed || r.Status(StageDeploy) != StatusFailed || r.Status("smoke") != StatusSkipped {
		t.Errorf("statuses: %+v", r.Stages())
	}
}

// TestRunAlongsideFailureStopsTheRest: a cluster stage that fails beside the
// checks keeps publish and deploy from running.
func TestRunAlongsideFailureStopsTheRest(t *testing.T) {
	deployed := false
	p := &Pipeline{}
	f := Flow{
		Stages: []Stage{"none"},
		Alongside: []Step{{Stage: StageCluster, Run: func(context.Context, *Report) (string, error) {
			return "", errors.New("local cluster: node not ready")
		}}},
		Then: []Step{{Stage: StageDeploy, Run: func(context.Context, *Report) (string, error) {
			deployed = true
			return "", nil
		}}},
	}
	r, err := p.Run(context.Background(), f)
	if err == nil || !strings.Contains(err.Error(), "node not ready") {
		t.Fatalf("Run error = %v", err)
	}
	if deployed {
		t.Error("deploy ran although the cluster stage failed")
	}
	if r.Status(StageCluster) != StatusFailed || r.Status(StageDeploy) != StatusSkipped {
		t.Errorf("statuses: %+v", r.Stages())
	}
}
