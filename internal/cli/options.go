package cli

import (
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/onepipe/onepipe/internal/plan"
)

// Flags are grouped by what they are for; each command binds the groups it
// uses, so no command offers a flag it ignores.

// sourceOptions name the app folder and its Dockerfile.
type sourceOptions struct {
	Source     string
	Dockerfile string
}

func (o *sourceOptions) bind(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringVarP(&o.Source, "source", "s", ".", "folder of the app: Dockerfile, requirements.txt, tests, optional onepipe.yaml")
	f.StringVar(&o.Dockerfile, "dockerfile", "", "Dockerfile path inside the source folder (default Dockerfile)")
}

// outOptions say where reports land.
type outOptions struct{ Out string }

func (o *outOptions) bind(cmd *cobra.Command) {
	cmd.Flags().StringVarP(&o.Out, "out", "o", "./.onepipe/out", "folder on this machine where reports (junit.xml, lint.txt) and artifacts land")
}

// check makes sure reports can be written there, before any work.
func (o outOptions) check() error {
	if st, err := os.Stat(o.Out); err == nil && !st.IsDir() {
		return fmt.Errorf("--out %s is a file: give a folder for the reports", o.Out)
	}
	if err := os.MkdirAll(o.Out, 0o755); err != nil {
		return fmt.Errorf("--out %s: cannot create the folder: %w", o.Out, errors.Unwrap(err))
	}
	probe, err := os.CreateTemp(o.Out, ".onepipe-write-check-*")
	if err != nil {
		return fmt.Errorf("--out %s is not writable: give a folder you can write to", o.Out)
	}
	probe.Close()
	return os.Remove(probe.Name())
}

// engineOptions bound the engine session and say how it is shown.
type engineOptions struct {
	Timeout  time.Duration
	Debug    bool
	Progress string
	Output   string
}

func (o *engineOptions) bind(cmd *cobra.Command) {
	f := cmd.Flags()
	f.DurationVar(&o.Timeout, "timeout", time.Hour, "give up (and cancel every stage) after this long")
	f.BoolVar(&o.Debug, "debug", false, "stream the engine's log in full detail (every step, with its inputs); implies --progress plain")
	f.StringVar(&o.Progress, "progress", progressAuto, "how progress is shown: stages (a line per stage event; the engine's log in OUT/engine.log), tty (a live table of the stages), plain (the engine's log as it comes) or auto (tty on a terminal, else stages)")
	f.StringVar(&o.Output, "output", outputText, "summary format on stdout: text, or json for machines")
}

func (o engineOptions) check() error {
	if o.Timeout <= 0 {
		return fmt.Errorf("--timeout %s: give a positive duration such as 30m or 1h", o.Timeout)
	}
	return o.checkProgress()
}

// bindPlatforms binds --platform.
func bindPlatforms(cmd *cobra.Command, platforms *[]string) {
	cmd.Flags().StringSliceVar(platforms, "platform", nil, "platforms to build the image for, comma-separated (default linux/amd64, or platforms: in onepipe.yaml)")
}

// bindRef binds the flags that override what the CI (or git) says is being built.
func bindRef(cmd *cobra.Command, o *plan.Ref) {
	f := cmd.Flags()
	f.StringVar(&o.SHA, "sha", "", "commit SHA being built (default: from the CI, else git)")
	f.StringVar(&o.Ref, "ref", "", "git ref being built, e.g. refs/heads/main or refs/tags/v1.2.3 (default: from the CI, else git)")
	f.StringVar(&o.Branch, "branch", "", "branch being built (default: from the CI, else git)")
	f.StringVar(&o.Tag, "tag", "", "release tag being built, vX.Y.Z (default: from the CI, else git)")
	f.StringVarP(&o.Env, "env", "e", "", "environment to target, e.g. dev or prod (default: prod for release tags, dev otherwise)")
	f.BoolVar(&o.AllowProtected, "allow-protected", false, "allow a protected environment (prod) from a ref that is not a release tag")
}

// bindPublish binds the flags that say where the image goes.
func bindPublish(cmd *cobra.Command, o *plan.Publish) {
	f := cmd.Flags()
	f.StringVar(&o.Repository, "publish", "", "push the image to this repository, e.g. registry.gitlab.com/group/app or acme.azurecr.io/app")
	f.BoolVar(&o.Push, "push", false, "push the image to image: from onepipe.yaml, or the CI's own registry ($CI_REGISTRY_IMAGE on GitLab)")
	f.StringVar(&o.Username, "registry-username", "", "registry user: a name, or env:NAME / file:PATH (default: registry.username in onepipe.yaml, or the CI's)")
	f.StringVar(&o.Password, "registry-password", "", "registry password or token as env:NAME or file:PATH, never the value itself")
	f.StringSliceVar(&o.MovingTags, "also-tag", nil, "extra moving tags pushed on releases, e.g. latest (default: release.movingTags in onepipe.yaml)")
	cmd.MarkFlagsMutuallyExclusive("publish", "push")
}

// bindCache binds the registry cache's flags.
func bindCache(cmd *cobra.Command, o *plan.Cache) {
	f := cmd.Flags()
	f.StringVar(&o.Repository, "cache", "", "keep the test and lint environments and the local cluster's binaries in this repository, for fresh CI engines (default: cache.repository in onepipe.yaml; in CI, when the run pushes, the image repository + /onepipe-cache)")
	f.BoolVar(&o.Off, "no-cache", false, "use no registry cache, also in CI")
	cmd.MarkFlagsMutuallyExclusive("cache", "no-cache")
}

// bindScan binds the image vulnerability scan's flags.
func bindScan(cmd *cobra.Command, o *plan.Scan) {
	f := cmd.Flags()
	f.BoolVar(&o.On, "scan", false, "scan the image for known vulnerabilities (osv-scanner: Debian and Python packages) after pack, before publish; reports in OUT (also scan: in onepipe.yaml)")
	f.StringVar(&o.FailOn, "scan-fail-on", "", "fail the run on a finding of this severity or above: low, medium, high or critical (implies --scan; default scan.failOn in onepipe.yaml, else report only)")
	f.StringVar(&o.Database, "scan-database", "", "folder on this machine with the OSV database, one ECOSYSTEM/all.zip each (Debian, PyPI), e.g. from a mirror (implies --scan; default scan.database in onepipe.yaml, else the live database)")
}

// bindDeploy binds the flags that end a run with a deploy.
func bindDeploy(cmd *cobra.Command, o *plan.Deploy) {
	f := cmd.Flags()
	f.BoolVar(&o.Deploy, "deploy", false, "after publish, make sure the environment's cluster is ready and deploy the app to it (deploy: and environments: in onepipe.yaml)")
	f.StringVar(&o.Review, "review", "", "deploy the environment as the review environment NAME, e.g. $CI_COMMIT_REF_SLUG: namespace NAMESPACE-NAME, host NAME.HOST (implies --deploy; onepipe down --review NAME removes it)")
	bindCluster(cmd, o)
}

// bindCluster binds the flags that pick a cluster other than the environment's.
func bindCluster(cmd *cobra.Command, o *plan.Deploy) {
	f := cmd.Flags()
	f.StringVar(&o.Cluster, "cluster", "", "use this kind of cluster instead of the environment's: local, existing, kops or aks (implies --deploy)")
	f.StringVar(&o.Kubeconfig, "kubeconfig", "", "kubeconfig of an existing cluster as env:NAME or file:PATH (implies --cluster existing)")
}

// loadApp inspects the app folder and reads its onepipe.yaml; bad input is a
// usage error.
func loadApp(so sourceOptions) (*plan.App, error) {
	app, err := plan.Load(plan.Source{Dir: so.Source}, so.Dockerfile)
	if err != nil {
		return nil, usageError(err)
	}
	return app, nil
}

// resolve is plan.Resolve with bad input as a usage error.
func resolve(env *Env, so sourceOptions, in plan.Inputs) (*plan.Plan, error) {
	app, err := loadApp(so)
	if err != nil {
		return nil, err
	}
	p, err := plan.Resolve(app, in, env.plan())
	if err != nil {
		return nil, usageError(err)
	}
	return p, nil
}

// plan is what the plan package reads from this machine.
func (e *Env) plan() plan.Environment {
	return plan.Environment{Getenv: e.Getenv, Secrets: plan.HostSecrets{LookupEnv: e.LookupEnv, ReadFile: e.ReadFile}}
}

// resolveSecret reads a secret reference on this machine; bad input is a
// usage error that never holds the value.
func resolveSecret(env *Env, field, ref string) (string, error) {
	v, err := env.plan().Secrets.Lookup(field, ref)
	if err != nil {
		return "", usageError(err)
	}
	return v, nil
}
