package cli

import (
	"time"

	"github.com/spf13/cobra"
)

// sourceOptions are the flags every pipeline command shares.
type sourceOptions struct {
	Source     string
	Out        string
	Dockerfile string
	Platforms  []string
	Timeout    time.Duration
	Debug      bool
}

func (o *sourceOptions) bind(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringVarP(&o.Source, "source", "s", ".", "folder of the app: Dockerfile, requirements.txt, tests, optional onepipe.yaml")
	f.StringVarP(&o.Out, "out", "o", "./.onepipe/out", "folder on this machine where reports (junit.xml, lint.txt) and artifacts land")
	f.StringVar(&o.Dockerfile, "dockerfile", "", "Dockerfile path inside the source folder (default Dockerfile)")
	f.StringSliceVar(&o.Platforms, "platform", nil, "platforms to build the image for, comma-separated (default linux/amd64, or platforms: in onepipe.yaml)")
	f.DurationVar(&o.Timeout, "timeout", time.Hour, "give up (and cancel every stage) after this long")
	f.BoolVar(&o.Debug, "debug", false, "show the engine's progress in more detail (every step, with its inputs)")
}

// refOptions override what the CI (or git) says is being built.
type refOptions struct {
	SHA            string
	Ref            string
	Branch         string
	Tag            string
	Env            string
	AllowProtected bool
}

func (o *refOptions) bind(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringVar(&o.SHA, "sha", "", "commit SHA being built (default: from the CI, else git)")
	f.StringVar(&o.Ref, "ref", "", "git ref being built, e.g. refs/heads/main or refs/tags/v1.2.3 (default: from the CI, else git)")
	f.StringVar(&o.Branch, "branch", "", "branch being built (default: from the CI, else git)")
	f.StringVar(&o.Tag, "tag", "", "release tag being built, vX.Y.Z (default: from the CI, else git)")
	f.StringVarP(&o.Env, "env", "e", "", "environment to target, e.g. dev or prod (default: prod for release tags, dev otherwise)")
	f.BoolVar(&o.AllowProtected, "allow-protected", false, "allow a protected environment (prod) from a ref that is not a release tag")
	cmd.MarkFlagsMutuallyExclusive("tag", "branch")
}

// publishOptions say where the image goes.
type publishOptions struct {
	Repository string
	Push       bool
	Username   string
	Password   string
	MovingTags []string
}

func (o *publishOptions) bind(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringVar(&o.Repository, "publish", "", "push the image to this repository, e.g. registry.gitlab.com/group/app or acme.azurecr.io/app")
	f.BoolVar(&o.Push, "push", false, "push the image to image: from onepipe.yaml, or the CI's own registry ($CI_REGISTRY_IMAGE on GitLab)")
	f.StringVar(&o.Username, "registry-username", "", "registry user: a name, or env:NAME / file:PATH (default: registry.username in onepipe.yaml, or the CI's)")
	f.StringVar(&o.Password, "registry-password", "", "registry password or token as env:NAME or file:PATH, never the value itself")
	f.StringSliceVar(&o.MovingTags, "also-tag", nil, "extra moving tags pushed on releases, e.g. latest (default: release.movingTags in onepipe.yaml)")
	cmd.MarkFlagsMutuallyExclusive("publish", "push")
}
