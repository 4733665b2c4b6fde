package shim

import (
	"fmt"
	"slices"
	"strings"

	"github.com/onepipe/onepipe/internal/versions"
)

// view is what the templates see: the data with defaults, plus the derived
// pieces that would otherwise be spelled out in three templates.
type view struct {
	Data
	Kind Kind
	// Publish are the onepipe flags that say where the image goes.
	Publish string
	// Cluster are the onepipe flags that say which cluster deploys reach.
	Cluster string
	// UsernameVar, PasswordVar and KubeconfigVar name the secret variables.
	UsernameVar, PasswordVar, KubeconfigVar string
	OutDir, Module, Built, UnsetVersion     string
	// EngineImage is the Dagger engine image the jobs' dagger CLI comes
	// from and, without Engine, the engine they start.
	EngineImage string
	// RunnerHost is where the dagger CLI finds its engine.
	RunnerHost string
	// Deploy and Review say whether deploy jobs and review environments are written.
	Deploy, Review bool
	// DevBranch is the branch dev deploys from where the CI names no default branch.
	DevBranch string
	ReviewEnv string
	// KubePod is true when Engine is reached through kubectl exec.
	KubePod bool
	// Deployments are the deploy jobs, in order: dev, prod, pre-release.
	Deployments []deployment
}

// deployment is one deploy job: the environment and when the job runs, in
// the CI's own terms.
type deployment struct {
	// Env is the onepipe environment, and the CI's environment name.
	Env string
	// Job is the job's (GitLab, GitHub) or stage's (Azure) name.
	Job string
	// When is the GitLab rule, Azure condition or GitHub if expression.
	When string
	// Why says in a comment which refs When picks.
	Why string
	// Manual makes the job wait for a person (GitLab).
	Manual bool
	// Cluster is true when the environment deploys to a Kubernetes cluster.
	Cluster bool
}

// deployments are the deploy jobs of kind: dev from the default branch
// (Azure DevOps names none: the first branch), prod from final release
// tags, PreReleaseEnv from pre-release tags (a tag with a dash, as onepipe's
// release policy reads it).
func (v view) deployments() []deployment {
	type refs struct{ dev, final, pre string }
	var when refs
	name := func(env string) string { return "deploy:" + env }
	switch v.Kind {
	case GitLab:
		when = refs{"$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH", `$CI_COMMIT_TAG =~ /^v[0-9]+\.[0-9]+\.[0-9]+$/`, `$CI_COMMIT_TAG =~ /^v[0-9]+\.[0-9]+\.[0-9]+-/`}
	case Azure:
		tag := "startsWith(variables['Build.SourceBranch'], 'refs/tags/v')"
		dash := "contains(variables['Build.SourceBranch'], '-')"
		when = refs{"eq(variables['Build.SourceBranch'], 'refs/heads/" + v.DevBranch + "')", "and(" + tag + ", not(" + dash + "))", "and(" + tag + ", " + dash + ")"}
		name = func(env string) string { return "deploy_" + strings.ReplaceAll(env, "-", "_") }
	case GitHub:
		when = refs{"github.ref == format('refs/heads/{0}', github.event.repository.default_branch)", "startsWith(github.ref, 'refs/tags/v') && !contains(github.ref, '-')", "startsWith(github.ref, 'refs/tags/v') && contains(github.ref, '-')"}
		name = func(env string) string { return "deploy-" + env }
	}
	out := []deployment{
		{Env: "dev", Job: name("dev"), When: when.dev, Why: "the default branch"},
		{Env: "prod", Job: name("prod"), When: when.final, Why: "final releases: v1.2.3", Manual: v.ManualProd},
		{Env: v.PreReleaseEnv, Job: name("pre-release"), When: when.pre, Why: "pre-releases: v1.2.3-rc.1"},
	}
	for i := range out {
		out[i].Cluster = !slices.Contains(v.NoCluster, out[i].Env)
	}
	return out
}

func (d Data) view(kind Kind) view {
	v := view{
		Data: d, Kind: kind, OutDir: OutDir, Module: Module, Built: Built, UnsetVersion: UnsetVersion,
		UsernameVar: UsernameVar, PasswordVar: PasswordVar, KubeconfigVar: KubeconfigVar,
		EngineImage: versions.DaggerEngineImage, RunnerHost: d.Engine,
		Deploy: Deploys(kind, d), DevBranch: d.Branches[0], ReviewEnv: ReviewEnv,
		KubePod: strings.HasPrefix(d.Engine, "kube-pod://"),
	}
	v.Review = v.Deploy && kind == GitLab && !d.NoReview && !slices.Contains(d.NoCluster, ReviewEnv)
	if v.RunnerHost == "" {
		v.RunnerHost = "docker-image://" + v.EngineImage
	}
	v.Publish = "--push"
	if d.Repository != "" {
		v.Publish = fmt.Sprintf("--publish %s --registry-username env:%s --registry-password env:%s", d.Repository, UsernameVar, PasswordVar)
	}
	v.Cluster = "--kubeconfig env:" + KubeconfigVar
	if v.Deploy {
		v.Deployments = v.deployments()
	}
	return v
}
