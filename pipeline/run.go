package pipeline

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"

	"dagger.io/dagger"
	"golang.org/x/sync/errgroup"

	"github.com/onepipe/onepipe/internal/registry"
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
	// Scan checks the image for known vulnerabilities after pack, before
	// publish (nil: no scan).
	Scan *ScanStep
	// Publish pushes the image after every blocking stage passed (nil: no push).
	Publish *PublishStep
	// Deploy ends the run with a deploy (nil: none).
	Deploy *Deployment
	// Log receives what the cluster and deploy stages do, step by step.
	Log io.Writer
	// Events receives each stage's start (StatusStarted) and end as they
	// happen, one at a time.
	Events func(StageResult)
	// Cache keeps the dependency and linter environments and the local
	// cluster's binaries in a registry, for fresh engines (nil: none).
	Cache *RegistryCache
}

// PublishStep is where and under which tags the image is pushed.
type PublishStep struct {
	Registry Registry
	Tags     []string
	// Promote tags the image the commit's branch pipeline pushed, when
	// there is one built from this source, instead of building (nil: build).
	Promote *Promotion
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
	if f.wants(StagePack) || f.Publish != nil {
		labelled, err := p.withSourceDigest(ctx) // what a release promotes by
		if err != nil {
			return r, err
		}
		p = labelled
	}
	built := p // the pipeline whose image pack built (its cached environment)
	var promoted *registry.Image
	if f.Publish != nil && f.Publish.Promote != nil {
		switch img, why, err := p.promotable(ctx, f.Publish.Promote); {
		case err != nil:
			fmt.Fprintf(f.log(), "onepipe: warning: promote: %v: building instead\n", firstLineOf(err.Error()))
		case why != "":
			fmt.Fprintf(f.log(), "publish: building: %s\n", why)
		default:
			promoted = &img
		}
	}

	g, gctx := errgroup.WithContext(ctx)
	if f.wants(StageTest) {
		g.Go(func() error {
			return r.do(gctx, StageTest, false, func(ctx context.Context) (string, error) {
				tp, cached, err := p.withCachedDependencies(ctx, f.Cache)
				if err != nil {
					return "", err
				}
				res, err := tp.CheckTests(ctx)
				r.addFile("junit.xml", res.Report)
				return res.Summary.String() + cacheNote("dependencies", cached), err
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
				lp, cached, err := lp.withCachedLintTools(ctx, f.Cache)
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
				return detail + cacheNote("linter", cached), err
			})
		})
	}
	if promoted != nil {
		r.Skip(StagePack, fmt.Sprintf("built already for this commit: %s:%s@%s", f.Publish.Promote.Registry.Repository, f.Publish.Promote.From, promoted.Digest))
	} else if f.wants(StagePack) || f.Publish != nil {
		g.Go(func() error {
			return r.do(gctx, StagePack, false, func(ctx context.Context) (string, error) {
				if pk := f.packager(); pk != nil && f.Publish == nil {
					return p.pack(ctx, f, r, pk) // the target ships its own package
				}
				pp, cached, err := p.withCachedImageEnv(ctx, f.Cache)
				if err != nil {
					return "", err
				}
				if err := pp.CheckPack(ctx); err != nil {
					return "", err
				}
				built = pp
				if f.ExportImage {
					r.addFile("image.tar", pp.ImageTarball())
				}
				return fmt.Sprintf("%s for %s", p.opts.Dockerfile, platformList(p.opts.Platforms)) + cacheNote("its environment", cached), nil
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

	if err := built.scanStage(ctx, f, r, promoted != nil); err != nil {
		r.skipRest(f, "the scan failed")
		return r, err
	}

	if f.Publish != nil {
		err := r.do(ctx, StagePublish, false, func(ctx context.Context) (string, error) {
			var pushed []Published
			var err error
			what := "%d tags to %s"
			if promoted != nil {
				pushed, err = p.promote(ctx, f.Publish.Promote, *promoted, f.Publish.Tags)
				what = "%d tags to %s, promoted (the same digest, not rebuilt)"
			} else {
				pushed, err = built.Publish(ctx, f.Publish.Registry, f.Publish.Tags)
			}
			r.mu.Lock()
			r.Published = append(r.Published, pushed...)
			r.mu.Unlock()
			return fmt.Sprintf(what, len(pushed), f.Publish.Registry.Repository), err
		})
		if err != nil {
			r.skipRest(f, "publish failed")
			return r, err
		}
	}

	if f.Deploy != nil {
		err := r.do(ctx, StageDeploy, false, func(ctx context.Context) (string, error) {
			to := Destination{Engine: built.engine(f), Cluster: cluster}
			if len(r.Published) > 0 {
				to.Image = r.Published[0].String() // deploy exactly what was pushed
				to.Registry = &f.Publish.Registry
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
	return Engine{Dag: p.dag, Pipeline: p, Log: f.log(), Cache: f.Cache}
}

// cacheNote says, for a stage's summary line, where what of it came from.
func cacheNote(what string, o CacheOutcome) string {
	switch o {
	case CachePulled:
		return "; " + what + " from the registry cache"
	case CachePushed:
		return "; " + what + " pushed to the registry cache"
	}
	return ""
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
