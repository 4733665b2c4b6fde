// Package cli is onepipe's command line: one file per command, all built from
// NewRootCommand. Commands parse flags into an options struct, resolve them
// into a plan (resolve.go) and hand the plan to the pipeline package.
package cli

import (
	"context"
	"io"
	"os"

	"github.com/spf13/cobra"
)

// Env is what commands read from the machine; tests replace it.
type Env struct {
	// Out receives results (summaries, plans); Err receives progress and errors.
	Out, Err io.Writer
	// LookupEnv reads an environment variable.
	LookupEnv func(string) (string, bool)
	// ReadFile reads a host file (secret files, kubeconfigs).
	ReadFile func(string) ([]byte, error)
	// Connect opens the engine session (connectEngine by default).
	Connect Connector
}

// Getenv returns the variable's value or "".
func (e *Env) Getenv(name string) string {
	v, _ := e.LookupEnv(name)
	return v
}

// SystemEnv is the real machine: os.Stdout, os.Stderr, the process environment.
func SystemEnv() *Env {
	return &Env{Out: os.Stdout, Err: os.Stderr, LookupEnv: os.LookupEnv, ReadFile: os.ReadFile, Connect: connectEngine}
}

// Main runs onepipe with args and returns the process exit code.
func Main(ctx context.Context, env *Env, args []string) int {
	root := NewRootCommand(env)
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	return reportError(ctx, env.Err, err)
}

// NewRootCommand builds the onepipe command tree.
func NewRootCommand(env *Env) *cobra.Command {
	root := &cobra.Command{
		Use:   "onepipe <command> [flags]",
		Short: "One CI/CD pipeline for Python web services, the same on a laptop, GitLab CI and Azure DevOps",
		Long: `onepipe tests, lints, packs, publishes and deploys a Python web service
(Flask, Tornado, Azure Functions) with one Go pipeline that runs on the Dagger engine.

It reads what it needs from the app folder (Dockerfile, requirements.txt, tests,
the optional onepipe.yaml) and from the CI it runs in (GitLab, Azure DevOps,
GitHub Actions, or your git checkout), so the same command works everywhere.`,
		Example: `  # run tests, lint and image build on an app, reports in ./.onepipe/out
  onepipe run --source examples/tornado

  # what would a GitLab tag pipeline do? (touches nothing)
  CI_COMMIT_TAG=v1.2.3 onepipe plan --source examples/tornado --publish registry.example.com/shop`,
		SilenceUsage:  true,
		SilenceErrors: true,
		Version:       version(),
	}
	root.SetOut(env.Out)
	root.SetErr(env.Err)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError(err) })
	root.AddCommand(
		newRunCommand(env),
		newTestCommand(env),
		newLintCommand(env),
		newPackCommand(env),
		newPlanCommand(env),
		newVersionCommand(env),
	)
	for _, extra := range extraCommands {
		root.AddCommand(extra(env))
	}
	return root
}

// extraCommands are added by other files of this package (init, deploy,
// trigger ...) through registerCommand, so root.go needs no edit per command.
var extraCommands []func(*Env) *cobra.Command

// registerCommand adds a command constructor to the root command.
func registerCommand(c func(*Env) *cobra.Command) { extraCommands = append(extraCommands, c) }
