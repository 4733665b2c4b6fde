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

func TestFlowWants(t *testing.T) {
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

// fakeCluster and fakeTarget record what the flow asks of them.
type fakeCluster struct {
	err     error
	ensured bool
}

func (c *fakeCluster) Plan() []string { return []string{"fake cluster"} }
func (c *fakeCluster) Ensure(context.Context, Engine) (*Cluster, error) {
	c.ensured = true
	if c.err != nil {
		return nil, c.err
	}
	return &Cluster{Name: "fake cluster"}, nil
}
func (c *fakeCluster) Reach(ctx context.Context, e Engine) (*Cluster, error) { return c.Ensure(ctx, e) }
func (c *fakeCluster) PullsImages() bool                                     { return true }

type fakeTarget struct {
	err               error
	to                Destination
	deployed, rolled  bool
	rollbackMessage   string
	rolledBackBecause error
}

func (t *fakeTarget) Plan() []string { return []string{"fake target"} }
func (t *fakeTarget) Deploy(_ context.Context, to Destination) (Deployed, error) {
	t.deployed, t.to = true, to
	if t.err != nil {
		return Deployed{}, t.err
	}
	return Deployed{Address: "http://shop.example.com", Summary: "deployed to " + to.Cluster.Name}, nil
}
func (t *fakeTarget) Rollback(_ context.Context, failed error) error {
	t.rolled, t.rolledBackBecause = true, failed
	return &DeployError{Message: t.rollbackMessage, Cause: failed}
}
func (t *fakeTarget) Address() string { return "" }

// TestRunDeploysToTheClusterItEnsured: the cluster stage runs beside the
// checks, the target deploys to the cluster it returned, and the result
// lands in the report.
func TestRunDeploysToTheClusterItEnsured(t *testing.T) {
	cl, tg := &fakeCluster{}, &fakeTarget{}
	r, err := (&Pipeline{}).Run(context.Background(), Flow{Stages: []Stage{"none"}, Deploy: &Deployment{Cluster: cl, Target: tg}})
	if err != nil {
		t.Fatal(err)
	}
	if !cl.ensured || !tg.deployed || tg.to.Cluster == nil || tg.to.Cluster.Name != "fake cluster" {
		t.Fatalf("ensured %v, deployed %v to %+v", cl.ensured, tg.deployed, tg.to.Cluster)
	}
	if tg.rolled {
		t.Error("a good release was rolled back")
	}
	if r.Deployed == nil || r.Deployed.Address != "http://shop.example.com" || r.Status(StageCluster) != StatusPassed || r.Status(StageDeploy) != StatusPassed {
		t.Errorf("report: %+v deployed %+v", r.Stages(), r.Deployed)
	}
	var buf bytes.Buffer
	r.Print(&buf)
	if !strings.Contains(buf.String(), "deployed to fake cluster") || !strings.Contains(buf.String(), "address: http://shop.example.com") {
		t.Errorf("summary:\n%s", buf.String())
	}
}

// TestRunRollsBackAFailedDeploy: a failed deploy is followed by the
// target's rollback, whose error is the run's.
func TestRunRollsBackAFailedDeploy(t *testing.T) {
	tg := &fakeTarget{err: errors.New("rollout timed out"), rollbackMessage: "rolled deployment/shop back to revision 3"}
	r, err := (&Pipeline{}).Run(context.Background(), Flow{Stages: []Stage{"none"}, Deploy: &Deployment{Cluster: &fakeCluster{}, Target: tg}})
	if err == nil || !strings.Contains(err.Error(), "revision 3") || !strings.Contains(err.Error(), "rollout timed out") {
		t.Fatalf("Run error = %v", err)
	}
	if !tg.rolled || tg.rolledBackBecause == nil {
		t.Error("the failed deploy was not rolled back")
	}
	if r.Status(StageDeploy) != StatusFailed || r.Deployed != nil {
		t.Errorf("statuses: %+v, deployed %+v", r.Stages(), r.Deployed)
	}
}

// TestRunClusterFailureStopsTheRest: a cluster stage that fails beside the
// checks keeps publish and deploy from running.
func TestRunClusterFailureStopsTheRest(t *testing.T) {
	tg := &fakeTarget{}
	r, err := (&Pipeline{}).Run(context.Background(), Flow{Stages: []Stage{"none"},
		Deploy: &Deployment{Cluster: &fakeCluster{err: errors.New("local cluster: node not ready")}, Target: tg}})
	if err == nil || !strings.Contains(err.Error(), "node not ready") {
		t.Fatalf("Run error = %v", err)
	}
	if tg.deployed {
		t.Error("deploy ran although the cluster stage failed")
	}
	if r.Status(StageCluster) != StatusFailed || r.Status(StageDeploy) != StatusSkipped {
		t.Errorf("statuses: %+v", r.Stages())
	}
}
