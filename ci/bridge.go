package main

// The pipeline library is written against the standalone Go SDK
// (dagger.io/dagger); this module's functions receive and return the types of
// its generated client (dag). Both are clients of the same engine session —
// a module's runtime has DAGGER_SESSION_PORT and DAGGER_SESSION_TOKEN, which
// sdk.Connect uses — so objects cross between them by ID: nothing is copied,
// uploaded or evaluated twice. This file is the only place that knows.

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"

	sdk "dagger.io/dagger"

	"github.com/onepipe/onepipe/ci/internal/dagger"
	"github.com/onepipe/onepipe/pipeline"
)

// bridge is the library's pipeline for one function call. Its client is not
// closed: it lives as long as the call, whose runtime process ends with it.
type bridge struct {
	client *sdk.Client
	pipe   *pipeline.Pipeline
}

// bridge opens the standalone client inside the module's session and builds
// the app's pipeline on it.
func (m *Onepipe) bridge(ctx context.Context) (*bridge, error) {
	client, err := sdk.Connect(ctx)
	if err != nil {
		return nil, fmt.Errorf("connect to the engine session: %w", err)
	}
	id, err := m.Source.ID(ctx)
	if err != nil {
		return nil, fmt.Errorf("source: %w", err)
	}
	platforms := make([]sdk.Platform, len(m.Platforms))
	for i, p := range m.Platforms {
		platforms[i] = sdk.Platform(p)
	}
	opts := pipeline.Options{
		App:             m.App,
		Runtime:         m.Runtime,
		Requirements:    m.Requirements,
		DevRequirements: m.DevRequirements,
		Dockerfile:      m.Dockerfile,
		Platforms:       platforms,
		LintTool:        m.LintTool,
	}
	source := client.LoadDirectoryFromID(sdk.DirectoryID(id))
	return &bridge{client: client, pipe: pipeline.New(client, source, opts)}, nil
}

// file hands a library file back to the module's caller.
func (b *bridge) file(ctx context.Context, f *sdk.File) (*dagger.File, error) {
	id, err := f.ID(ctx)
	if err != nil {
		return nil, err
	}
	return dag.LoadFileFromID(dagger.FileID(id)), nil
}

// container hands a library container back to the module's caller.
func (b *bridge) container(ctx context.Context, c *sdk.Container) (*dagger.Container, error) {
	id, err := c.ID(ctx)
	if err != nil {
		return nil, err
	}
	return dag.LoadContainerFromID(dagger.ContainerID(id)), nil
}

// secret hands the caller's secret to the library (nil stays nil).
func (b *bridge) secret(ctx context.Context, s *dagger.Secret) (*sdk.Secret, error) {
	if s == nil {
		return nil, nil
	}
	id, err := s.ID(ctx)
	if err != nil {
		return nil, err
	}
	return b.client.LoadSecretFromID(sdk.SecretID(id)), nil
}

// registry is where Publish pushes, with the caller's credentials.
func (b *bridge) registry(ctx context.Context, repository, username string, password *dagger.Secret) (pipeline.Registry, error) {
	secret, err := b.secret(ctx, password)
	if err != nil {
		return pipeline.Registry{}, fmt.Errorf("registry password: %w", err)
	}
	return pipeline.Registry{Repository: repository, Username: username, Password: secret}, nil
}

// flow is Run's plan; reports land in a folder of the module's container.
func (b *bridge) flow(ctx context.Context, only []string, allowLintFailure bool, repository string, tags []string, username string, password *dagger.Secret) (pipeline.Flow, error) {
	out, err := os.MkdirTemp("", "onepipe-out")
	if err != nil {
		return pipeline.Flow{}, err
	}
	f := pipeline.Flow{OutDir: out, AllowLintFailure: allowLintFailure}
	for _, s := range only {
		f.Stages = append(f.Stages, pipeline.Stage(s))
	}
	if repository != "" {
		if len(tags) == 0 {
			return f, fmt.Errorf("--repository %s needs at least one --tag, e.g. the release tag or the 8-character commit SHA", repository)
		}
		reg, err := b.registry(ctx, repository, username, password)
		if err != nil {
			return f, err
		}
		f.Publish = &pipeline.PublishStep{Registry: reg, Tags: tags}
	}
	return f, nil
}

// reports hands Run's report files, and the summary table, back as a folder.
func (b *bridge) reports(dir string, report *pipeline.Report) (*dagger.Directory, error) {
	var summary bytes.Buffer
	report.Print(&summary)
	out := dag.Directory().WithNewFile("summary.txt", summary.String())
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			return nil, err
		}
		out = out.WithNewFile(e.Name(), string(data))
	}
	return out, nil
}

// refs lists pushed images as repository:tag@digest.
func refs(pushed []pipeline.Published) []string {
	out := make([]string, len(pushed))
	for i, p := range pushed {
		out[i] = p.String()
	}
	return out
}
