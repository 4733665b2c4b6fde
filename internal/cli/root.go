// Package cli is onepipe's command line: one file per command, all built from
// NewRootCommand. Commands parse flags into an options struct, resolve them
// into a plan (resolve.go) and hand the plan to the pipeline package.
package cli

import (
	"context"
	"io"
	"os"
	"regexp"
	"strings"

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
	env, opened := env.trackSessions()
	root := NewRootCommand(env)
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	if ok, where := opened(); ok {
		// The session printed its progress to env.Err: the detail of this
		// error is there, above the one-line report.
		err = afterProgressAt(err, where)
	}
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
	root.SetVersionTemplate(versionTemplate())
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError(err) })
	root.AddCommand(
		newRunCommand(env),
		newTestCommand(env),
		newLintCommand(env),
		newPackCommand(env),
		newPlanCommand(env),
		newDeployCommand(env),
		newKubectlCommand(env),
		newDownCommand(env),
		newTriggerCommand(env),
		newInitCommand(env),
		newEngineCommand(env),
		newVersionCommand(env),
	)
	// Add cobra's completion command now rather than at Execute, so the walk
	// below covers it too.
	root.InitDefaultCompletionCmd()
	rejectUnknownSubcommands(root)
	return root
}

// rejectUnknownSubcommands makes every command below root that only groups
// subcommands (deploy, trigger ...) fail with a usage error when the
// subcommand is missing or unknown. Left alone, cobra prints their help and
// exits 0, so a typo such as `onepipe deploy heroku` would pass in CI.
func rejectUnknownSubcommands(root *cobra.Command) {
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		for _, sub := range c.Commands() {
			walk(sub)
		}
		if c == root || !c.HasSubCommands() || c.Runnable() {
			return
		}
		c.Args = cobra.ArbitraryArgs
		// Report the wrong subcommand, not the flags meant for it.
		c.FParseErrWhitelist.UnknownFlags = true
		c.RunE = func(c *cobra.Command, args []string) error {
			return unknownSubcommand(c, root, args)
		}
	}
	walk(root)
}

// placeholder finds the noun in a command's Use: "target" in "deploy <target> [flags]".
var placeholder = regexp.MustCompile(`<([^>]+)>`)

// unknownSubcommand is the usage error for a grouping command called with
// args instead of one of its subcommands.
func unknownSubcommand(c, root *cobra.Command, args []string) error {
	var names []string
	for _, sub := range c.Commands() {
		if sub.IsAvailableCommand() {
			names = append(names, sub.Name())
		}
	}
	noun := "subcommand"
	if m := placeholder.FindStringSubmatch(c.Use); m != nil {
		noun = m[1]
	}
	path := strings.TrimPrefix(c.CommandPath(), root.Name()+" ")
	use := "use " + orList(names)
	if len(args) == 0 {
		return usagef("%s needs a %s: %s", path, noun, use)
	}
	if c.SuggestionsMinimumDistance <= 0 {
		c.SuggestionsMinimumDistance = 2
	}
	if s := c.SuggestionsFor(args[0]); len(s) > 0 {
		use += "; did you mean " + orList(s) + "?"
	}
	return usagef("unknown %s %s %q: %s", path, noun, args[0], use)
}
