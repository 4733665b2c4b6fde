package cli

import (
	"github.com/spf13/cobra"

	"github.com/onepipe/onepipe/internal/plan"
	"github.com/onepipe/onepipe/pipeline"
)

// newStageCommand builds the single-stage commands (test, lint, pack): the run
// flow limited to one stage.
func newStageCommand(env *Env, stage pipeline.Stage, short, long, example string) *cobra.Command {
	var (
		so      sourceOptions
		oo      outOptions
		eo      engineOptions
		in      plan.Inputs
		publish plan.Publish
	)
	cmd := &cobra.Command{
		Use:     string(stage) + " [flags]",
		Short:   short,
		Long:    long,
		Example: example,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			in.Only = []string{string(stage)}
			if stage == pipeline.StagePack {
				in.Publish = &publish
			}
			p, err := resolve(env, so, in)
			if err != nil {
				return err
			}
			return execute(cmd.Context(), env, p, eo, oo)
		},
	}
	so.bind(cmd)
	oo.bind(cmd)
	eo.bind(cmd)
	bindCache(cmd, &in.Cache)
	switch stage {
	case pipeline.StageLint:
		cmd.Flags().BoolVar(&in.AllowLintFailure, "allow-lint-failure", false, "keep the report but exit 0 on findings")
	case pipeline.StagePack:
		bindPlatforms(cmd, &in.Platforms)
		bindRef(cmd, &in.Ref)
		bindPublish(cmd, &publish)
		bindScan(cmd, &in.Scan)
		cmd.Flags().BoolVar(&in.ExportImage, "export-image", false, "write the image to OUT/image.tar as an OCI tarball")
	}
	return cmd
}

func newTestCommand(env *Env) *cobra.Command {
	return newStageCommand(env, pipeline.StageTest,
		"Run the app's tests (pytest) and write a JUnit report",
		`Run the app's tests with pytest in the app's Python runtime image, its
requirements installed in a cached layer. The JUnit report lands in OUT/junit.xml,
also when tests fail; failing tests are named and the exit code is 1.`,
		"  onepipe test --source examples/flask --out /tmp/out")
}

func newLintCommand(env *Env) *cobra.Command {
	return newStageCommand(env, pipeline.StageLint,
		"Lint the app (flake8, or ruff) and keep the report",
		`Lint the app's sources with flake8 (or ruff, with lint.tool: ruff in
onepipe.yaml). Findings land in OUT/lint.txt and, for CI test tabs, OUT/lint-junit.xml.`,
		"  onepipe lint --source examples/tornado --allow-lint-failure")
}

func newPackCommand(env *Env) *cobra.Command {
	return newStageCommand(env, pipeline.StagePack,
		"Build the app's image from its Dockerfile, and push it with --publish",
		`Build the image from the app's Dockerfile for an explicit platform
(linux/amd64 unless --platform says otherwise), labelled with the source URL,
revision and commit time. With --publish or --push the image is pushed, tagged
with the release tag on release tags and the 8-character commit SHA otherwise.`,
		`  onepipe pack --source examples/tornado --export-image
  onepipe pack --platform linux/amd64,linux/arm64 --publish registry.gitlab.com/acme/shop`)
}
