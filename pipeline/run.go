package pipeline

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"

	"dagger.io/dagger"
	"golang.org/x/sync/errgroup"
)

// Flow says what Run does beyond the defaults.
type Flow struct {
	// Stages limits the checks to these (default: test, lint and pack).
	Stages []Stage
	// AllowLintFailure records lint findings without failing the run.
	AllowLintFailure bool
	// ExportImage adds the image, as an OCI tarball, to the report's files
	// (image.tar).
	ExportImage bool
	// Publish pushes the image after every blocking stage passed (nil: no push).
	Publish *PublishStep
	// Deploy ends the run with a deploy (nil: none).
	Deploy *Deployment
	// Log receives what the cluster and deploy stages do, step by step.
	Log io.Writer
	// Events receives each stage's start (StatusStarted) and end as they
	// happen, one at a time.
	Events func(StageResult)
}

// PublishStep is where and under which tags the image is pushed.
type PublishStep struct {
	Registry Registry
	Tags     []string
}

// Deployment is where a run deploys: the cluster the target needs (made
// ready beside the checks) and the target itself (deployed after publish).
type Deployment struct {
	// Cluster makes sure the cluster exists; nil for targets that need none.
	Cluster ClusterProvider
	// Target deploys the release and rolls it back when it fails.
	Target Target
}

func (f Flow) wants(s Stage) bool {
	return len(f.Stages) == 0 || slices.Contains(f.Stages, s)
}

func (f Flow) log() io.Writer {
	if f.Log == nil {
		return io.Discard
	}
	return f.Log
}

// Run executes the flow: test, lint, pack and the cluster stage side by side
// (the first blocking failure cancels the others), then publish, then the
// deploy, which rolls back when it fails. Nothing is pushed unless every
// blocking stage passed. The report lists every stage and the files the
// checks produced, also when Run returns an error.
func (p *Pipeline) Run(ctx context.Context, f Flow) (*Report, error) {
	r := &Report{events: f.Events}
	var cluster *Cluster

	g, gctx := errgroup.WithContext(ctx)
	if f.wants(StageTest) {
		g.Go(func() error {
			return r.do(gctx, StageTest, false, func(ctx context.Context) (string, error) {
				res, err := p.CheckTests(ctx)
				r.addFile("junit.xml", res.Report)
				return res.Summary.String(), err
			})
		})
	}
	if f.wants(StageLint) {
		g.Go(func() error {
			return r.do(gctx, StageLint, f.AllowLintFailure, func(ctx context.Context) (string, error) {
				lp, err := p.WithInstallableLinter(ctx)
				if err != nil {
					return "", err
				}
				res, err := lp.CheckLint(ctx)
				r.addFile("lint.txt", res.Text)
				r.addFile("lint-junit.xml", res.JUnit)
				detail := fmt.Sprintf("%d findings", len(res.Findings))
				if note := lp.opts.LintNote; note != "" {
					detail += " (" + note + ")"
				}
				return detail, err
			})
		})
	}
	if f.wants(StagePack) || f.Publish != nil {
		g.Go(func() error {
			return r.do(gctx, StagePack, false, func(ctx context.Context) (string, error) {
				if err := p.CheckPack(ctx); err != nil {
					return "", err
				}
				if f.ExportImage {
					r.addFile("image.tar", p.ImageTarball())
				}
				return fmt.Sprintf("%s for %s", p.opts.Dockerfile, platformList(p.opts.Platforms)), nil
			})
		})
	}
	if f.Deploy != nil && f.Deploy.Cluster != nil {
		g.Go(func() error {
			return r.do(gctx, StageCluster, false, func(ctx context.Context) (string, error) {
				c, err := f.Deploy.Cluster.Ensure(ctx, p.engine(f))
				if err != nil {
					return "", err
				}
				cluster = c
				return c.Name + " ready", nil
			})
		})
	}
	if err := g.Wait(); err != nil {
		why := "an earlier stage failed"
		if ctx.Err() != nil {
			why = "the run was cancelled"
		}
		r.skipRest(f, why)
		return r, err
	}

	if f.Publish != nil {
		err := r.do(ctx, StagePublish, false, func(ctx context.Context) (string, error) {
			pushed, err := p.Publish(ctx, f.Publish.Registry, f.Publish.Tags)
			r.mu.Lock()
			r.Published = append(r.Published, pushed...)
			r.mu.Unlock()
			return fmt.Sprintf("%d tags to %s", len(pushed), f.Publish.Registry.Repository), err
		})
		if err != nil {
			r.skipRest(f, "publish failed")
			return r, err
		}
	}

	if f.Deploy != nil {
		err := r.do(ctx, StageDeploy, false, func(ctx context.Context) (string, error) {
			to := Destination{Engine: p.engine(f), Cluster: cluster}
			if len(r.Published) > 0 {
				to.Image = r.Published[0].String() // deploy exactly what was pushed
			}
			done, err := f.Deploy.Target.Deploy(ctx, to)
			if err != nil {
				return "", f.Deploy.Target.Rollback(ctx, err)
			}
			r.mu.Lock()
			r.Deployed = &done
			r.mu.Unlock()
			return done.Summary, nil
		})
		if err != nil {
			return r, err
		}
	}
	return r, nil
}

// engine is what the cluster and the target work with during this run.
func (p *Pipeline) engine(f Flow) Engine {
	return Engine{Dag: p.dag, Pipeline: p, Log: f.log()}
}

// skipRest records the stages after the checks as skipped.
func (r *Report) skipRest(f Flow, why string) {
	if f.Publish != nil {
		r.Skip(StagePublish, why)
	}
	if f.Deploy != nil {
		r.Skip(StageDeploy, why)
	}
}

func platformList(ps []dagger.Platform) string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = string(p)
	}
	return strings.Join(out, ", ")
}
