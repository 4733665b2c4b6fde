package main

// The pipeline library is written against the standalone Go SDK
// (dagger.io/dagger); this module's functions receive and return the types of
// its generated client (dag). Both are clients of the same engine session —
// a module's runtime has DAGGER_SESSION_PORT and DAGGER_SESSION_TOKEN, which
// sdk.Connect uses — so objects cross between them by ID: nothing is copied,
// uploaded or evaluated twice. This file is the only place that knows.

import (
	"context"
	"fmt"
	"os"
	"strings"

	sdk "dagger.io/dagger"

	"github.com/onepipe/onepipe/ci/internal/dagger"
	"github.com/onepipe/onepipe/internal/plan"
	"github.com/onepipe/onepipe/pipeline"
)

// bridge is the library's view of one function call. Its client is not
// closed: it lives as long as the call, whose runtime process ends with it.
type bridge struct {
	ctx    context.Context
	client *sdk.Client
	source *sdk.Directory
	m      *Onepipe
}

// bridge opens the standalone client inside the module's session.
func (m *Onepipe) bridge(ctx context.Context) (*bridge, error) {
	client, err := sdk.Connect(ctx)
	if err != nil {
		return nil, fmt.Errorf("connect to the engine session: %w", err)
	}
	id, err := m.Source.ID(ctx)
	if err != nil {
		return nil, fmt.Errorf("source: %w", err)
	}
	// the same excludes as the CLI's upload, whatever the caller passed
	source := client.LoadDirectoryFromID(sdk.DirectoryID(id)).Filter(sdk.DirectoryFilterOpts{Exclude: pipeline.SourceExcludes})
	return &bridge{ctx: ctx, client: client, source: source, m: m}, nil
}

// runArgs are a function's options, named as the onepipe flags are.
type runArgs struct {
	only                   []string
	allowLintFailure       bool
	exportImage            bool
	publish                string
	push                   bool
	registryUsername       string
	registryPassword       *dagger.Secret
	alsoTag                []string
	sha, tag, branch, ref  string
	env                    string
	allowProtected, deploy bool
	cluster                string
	kubeconfig, secrets    *dagger.Secret
	apiServer              *dagger.Service
	cache                  string
	noCache                bool
	review                 string
	scan                   bool
	scanFailOn             string
	values                 plan.ValueSecrets
	registryRef, kubeRef   string
}

// Names the Dagger secrets given as arguments take among the secrets the
// plan resolves (what onepipe plan prints as their source).
const (
	registryPasswordName = "ONEPIPE_REGISTRY_PASSWORD"
	kubeconfigName       = "ONEPIPE_KUBECONFIG"
)

// secrets reads the caller's secrets into the values the plan resolves
// references against: --secrets (NAME=value lines), --registry-password
// and --kubeconfig.
func (b *bridge) secrets(ctx context.Context, a *runArgs) error {
	a.values = plan.ValueSecrets{}
	if a.secrets != nil {
		text, err := a.secrets.Plaintext(ctx)
		if err != nil {
			return fmt.Errorf("--secrets: %w", err)
		}
		if a.values, err = plan.ParseDotenv(text); err != nil {
			return fmt.Errorf("--secrets: %w", err)
		}
	}
	for _, s := range []struct {
		secret *dagger.Secret
		name   string
		ref    *string
	}{{a.registryPassword, registryPasswordName, &a.registryRef}, {a.kubeconfig, kubeconfigName, &a.kubeRef}} {
		if s.secret == nil {
			continue
		}
		v, err := s.secret.Plaintext(ctx)
		if err != nil {
			return err
		}
		a.values[s.name], *s.ref = v, "env:"+s.name
	}
	return nil
}

// plan resolves the call's options against the source's onepipe.yaml, the
// same way the onepipe CLI does.
func (b *bridge) plan(a runArgs) (*plan.Plan, error) {
	app, err := b.app()
	if err != nil {
		return nil, err
	}
	in := plan.Inputs{
		Dockerfile:       b.m.Dockerfile,
		Platforms:        b.m.Platform,
		Only:             a.only,
		AllowLintFailure: a.allowLintFailure,
		ExportImage:      a.exportImage,
		Ref:              plan.Ref{SHA: a.sha, Tag: a.tag, Branch: a.branch, Ref: a.ref, Env: a.env, AllowProtected: a.allowProtected},
		Publish: &plan.Publish{Repository: a.publish, Push: a.push, Username: a.registryUsername,
			Password: a.registryRef, MovingTags: a.alsoTag},
		Deploy: &plan.Deploy{Deploy: a.deploy, Cluster: a.cluster, Kubeconfig: a.kubeRef, Review: a.review},
		Cache:  plan.Cache{Repository: a.cache, Off: a.noCache},
		Scan:   plan.Scan{On: a.scan, FailOn: a.scanFailOn},
	}
	if in.Deploy.APIServer, err = b.service(a.apiServer); err != nil {
		return nil, fmt.Errorf("--api-server: %w", err)
	}
	return plan.Resolve(app, in, plan.Environment{Secrets: a.values})
}

// runReport runs the plan of a call and returns its report.
func (m *Onepipe) runReport(ctx context.Context, a runArgs) (*pipeline.Report, error) {
	b, err := m.bridge(ctx)
	if err != nil {
		return nil, err
	}
	_, report, err := b.run(a)
	return report, err
}

// run runs the plan of a call and returns the reports folder.
func (m *Onepipe) run(ctx context.Context, a runArgs) (*dagger.Directory, error) {
	b, err := m.bridge(ctx)
	if err != nil {
		return nil, err
	}
	dir, _, err := b.run(a)
	return dir, err
}

func (b *bridge) run(a runArgs) (*dagger.Directory, *pipeline.Report, error) {
	if err := b.secrets(b.ctx, &a); err != nil {
		return nil, nil, err
	}
	p, err := b.plan(a)
	if err != nil {
		return nil, nil, err
	}
	flow := p.Flow(b.client)
	flow.Log = os.Stderr
	if flow.Cache != nil {
		flow.Cache.Log = os.Stderr
	}
	report, err := p.NewPipeline(b.client, b.source).Run(b.ctx, flow)
	if err != nil {
		return nil, report, err
	}
	dir, err := b.directory(report.Directory(b.client))
	return dir, report, err
}

// printPlan is the plan as onepipe plan prints it.
func printPlan(p *plan.Plan) string {
	var s strings.Builder
	p.Print(&s)
	return s.String()
}

// directory hands a library directory back to the module's caller.
func (b *bridge) directory(d *sdk.Directory) (*dagger.Directory, error) {
	id, err := d.ID(b.ctx)
	if err != nil {
		return nil, err
	}
	return dag.LoadDirectoryFromID(dagger.DirectoryID(id)), nil
}

// container hands a library container back to the module's caller.
func (b *bridge) container(ctx context.Context, c *sdk.Container) (*dagger.Container, error) {
	id, err := c.ID(ctx)
	if err != nil {
		return nil, err
	}
	return dag.LoadContainerFromID(dagger.ContainerID(id)), nil
}

// down deletes the namespace of an environment, as onepipe down does.
func (b *bridge) down(a runArgs) (string, error) {
	if err := b.secrets(b.ctx, &a); err != nil {
		return "", err
	}
	app, err := b.app()
	if err != nil {
		return "", err
	}
	d := plan.Deploy{Cluster: a.cluster, Kubeconfig: a.kubeRef, Review: a.review}
	if d.APIServer, err = b.service(a.apiServer); err != nil {
		return "", fmt.Errorf("--api-server: %w", err)
	}
	td, err := app.Down(a.env, d, a.allowProtected, plan.Environment{Secrets: a.values})
	if err != nil {
		return "", err
	}
	c, err := td.Cluster.Reach(b.ctx, pipeline.Engine{Dag: b.client, Log: os.Stderr})
	if err != nil {
		return "", err
	}
	out, err := c.Exec(b.ctx, c.Kubectl(), td.DeleteArgs(plan.DefaultDownTimeout))
	if err != nil {
		return "", fmt.Errorf("down %s: %w", td.Namespace, err)
	}
	return out, nil
}

// app reads the source's onepipe.yaml, the same way the onepipe CLI does.
func (b *bridge) app() (*plan.App, error) {
	name, err := b.m.Source.Name(b.ctx)
	if err != nil || strings.Trim(name, "/.") == "" {
		name = "app"
	}
	return plan.Load(plan.Source{FS: pipeline.EngineFS(b.ctx, b.source), Name: strings.Trim(name, "/")}, b.m.Dockerfile)
}

// service hands the caller's service to the library (nil stays nil).
func (b *bridge) service(s *dagger.Service) (*sdk.Service, error) {
	if s == nil {
		return nil, nil
	}
	id, err := s.ID(b.ctx)
	if err != nil {
		return nil, err
	}
	return b.client.LoadServiceFromID(sdk.ServiceID(id)), nil
}
