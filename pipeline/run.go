package pipeline

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"

	"golang.org/x/sync/errgroup"
)

// Flow says what Run does beyond the defaults.
type Flow struct {
	// Stages limits the checks to these (default: test, lint and pack).
	Stages []Stage
	// OutDir receives reports and artifacts on the host ("" keeps nothing).
	OutDir string
	// AllowLintFailure records lint findings without failing the run.
	AllowLintFailure bool
	// ExportImage writes the image as an OCI tarball to OutDir/image.tar.
	ExportImage bool
	// Alongside are stages that run beside test, lint and pack (the
	// cluster stage); their failure cancels the others like a check's.
	Alongside []Step
	// Publish pushes the image after every blocking stage passed (nil: no push).
	Publish *PublishStep
	// Then are the stages that run after publish, one after the other
	// (cluster, deploy, Azure targets); each sees the report so far.
	Then []Step
}

// PublishStep is where and under which tags the image is pushed.
type PublishStep struct {
	Registry Registry
	Tags     []string
}

// Step is a stage that runs after the image is published.
type Step struct {
	Stage Stage
	// Run does the work and returns one line for the summary.
	Run func(ctx context.Context, r *Report) (string, error)
}

// Out returns the host path of an artifact in OutDir ("" when OutDir is unset).
func (f Flow) Out(name string) string {
	if f.OutDir == "" {
		return ""
	}
	return filepath.Join(f.OutDir, name)
}

func (f Flow) wants(s Stage) bool {
	return len(f.Stages) == 0 || slices.Contains(f.Stages, s)
}

// Run executes the flow: test, lint, pack and the Alongside stages side by
// side (the first blocking failure cancels the others), then publish, then
// the later steps in order.
// Nothing is pushed unless every blocking stage passed. The report lists every
// stage, also when Run returns an error.
func (p *Pipeline) Run(ctx context.Context, f Flow) (*Report, error) {
	r := &Report{}

	g, gctx := errgroup.WithContext(ctx)
	if f.wants(StageTest) {
		g.Go(func() error {
			return r.do(gctx, StageTest, false, func(ctx context.Context) (string, error) {
				res, err := p.CheckTests(ctx, f.Out("junit.xml"))
				return res.Summary.String(), err
			})
		})
	}
	if f.wants(StageLint) {
		g.Go(func() error {
			return r.do(gctx, StageLint, f.AllowLintFailure, func(ctx context.Context) (string, error) {
				res, err := p.CheckLint(ctx, f.Out("lint.txt"), f.Out("lint-junit.xml"))
				return fmt.Sprintf("%d findings", len(res.Findings)), err
			})
		})
	}
	if f.wants(StagePack) || f.Publish != nil {
		g.Go(func() error {
			return r.do(gctx, StagePack, false, func(ctx context.Context) (string, error) {
				tarball := ""
				if f.ExportImage {
					tarball = f.Out("image.tar")
				}
				return fmt.Sprintf("%s for %v", p.opts.Dockerfile, p.opts.Platforms), p.CheckPack(ctx, tarball)
			})
		})
	}
	for _, step := range f.Alongside {
		g.Go(func() error {
			return r.do(gctx, step.Stage, false, func(ctx context.Context) (string, error) { return step.Run(ctx, r) })
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

	for i, step := range f.Then {
		if err := r.do(ctx, step.Stage, false, func(ctx context.Context) (string, error) { return step.Run(ctx, r) }); err != nil {
			for _, later := range f.Then[i+1:] {
				r.Skip(later.Stage, fmt.Sprintf("%s failed", step.Stage))
			}
			return r, err
		}
	}
	return r, nil
}

// skipRest records the stages after the checks as skipped.
func (r *Report) skipRest(f Flow, why string) {
	if f.Publish != nil {
		r.Skip(StagePublish, why)
	}
	for _, s := range f.Then {
		r.Skip(s.Stage, why)
	}
}
