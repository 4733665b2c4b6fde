package cli

import (
	"context"
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"

	"dagger.io/dagger"
	"github.com/spf13/cobra"

	"github.com/onepipe/onepipe/internal/cloud"
	"github.com/onepipe/onepipe/internal/config"
	"github.com/onepipe/onepipe/internal/kube"
	"github.com/onepipe/onepipe/pipeline"
)

// deployOptions are the flags that end a run with a Kubernetes deploy.
type deployOptions struct {
	Deploy     bool
	Cluster    string
	Kubeconfig string
}

func (o *deployOptions) bind(cmd *cobra.Command) {
	f := cmd.Flags()
	f.BoolVar(&o.Deploy, "deploy", false, "after publish, make sure the environment's cluster is ready and deploy the app to it (deploy: and environments: in onepipe.yaml)")
	f.StringVar(&o.Cluster, "cluster", "", "deploy to this kind of cluster instead of the environment's: local, existing, kops or aks (implies --deploy)")
	f.StringVar(&o.Kubeconfig, "kubeconfig", "", "kubeconfig of an existing cluster as env:NAME or file:PATH (implies --cluster existing unless --cluster is given)")
}

// wanted reports whether the run deploys.
func (o deployOptions) wanted() bool { return o.Deploy || o.Cluster != "" || o.Kubeconfig != "" }

// cluster is the environment's cluster settings with the flags applied:
// --cluster picks the provider, --kubeconfig alone means existing.
func (o deployOptions) cluster(cl config.Cluster) config.Cluster {
	switch {
	case o.Cluster != "":
		cl.Provider = o.Cluster
	case o.Kubeconfig != "":
		cl.Provider = config.ProviderExisting
	}
	if o.Kubeconfig != "" {
		cl.Kubeconfig = o.Kubeconfig
	}
	return cl
}

// kubePlan is the Kubernetes deploy a run ends with.
type kubePlan struct {
	// Provider is local, existing, kops or aks.
	Provider string
	// ClusterName names the cluster (the local cluster's state volume).
	ClusterName string
	// RealNode runs the local cluster with a real node instead of kwok.
	RealNode bool
	// KubeconfigRef is where an existing cluster's kubeconfig comes from.
	KubeconfigRef string
	// Target renders the manifests; its Values.Image is replaced by the
	// pushed ref@digest before the deploy renders again.
	Target *pipeline.Target
	// Plan is the deploy as rendered now (what `onepipe plan` prints).
	Plan kube.Plan
	// kops and aks are set for those providers.
	kops *cloud.Kops
	aks  *cloud.AKS
}

// resolveDeploy renders the environment's manifests and plans the deploy,
// so that a broken manifest, a missing secret or an impossible target fails
// before any work starts.
func (p *plan) resolveDeploy(env *Env, o deployOptions) error {
	cl := o.cluster(p.Env.Cluster)
	provider := cl.ProviderName()
	if err := cl.Validate(p.EnvName); err != nil {
		if o.Cluster != "" && strings.Contains(err.Error(), ".provider ") {
			return usagef("--cluster %q: use local, existing, kops or aks", o.Cluster)
		}
		return usageError(err)
	}
	if p.Release.Version == "" {
		return usagef("deploy needs a version for the image: the revision is unknown (not a git checkout, no CI variables): pass --sha or --tag")
	}
	kp := &kubePlan{Provider: provider, ClusterName: cl.Name, RealNode: cl.LocalNode == config.LocalNodeReal}
	image := "onepipe.local/" + p.Config.App + ":" + p.Release.Version
	switch {
	case p.Publish != nil:
		image = p.Publish.Repository + ":" + p.Publish.Tags[0]
	case provider != config.ProviderLocal:
		return usagef("deploy to the %s cluster needs a pushed image: add --publish REPOSITORY or --push", provider)
	}
	secrets := map[string]string{}
	for _, name := range slices.Sorted(maps.Keys(p.Env.Secrets)) {
		v, err := resolveSecret(env, fmt.Sprintf("environments.%s.secrets.%s", p.EnvName, name), p.Env.Secrets[name])
		if err != nil {
			return err
		}
		secrets[name] = v
	}
	if provider == config.ProviderExisting {
		v, err := resolveSecret(env, "kubeconfig", cl.Kubeconfig)
		if err != nil {
			return err
		}
		p.secrets["kubeconfig"] = v
		kp.KubeconfigRef = cl.Kubeconfig
	}
	switch provider {
	case config.ProviderKops:
		k, err := cloud.NewKops(p.EnvName, cl)
		if err != nil {
			return usageError(err)
		}
		if cl.Kops.Credentials == "" {
			return usagef("environments.%s.cluster.kops.credentials: name the GCP service account key, e.g. env:GOOGLE_CREDENTIALS_JSON", p.EnvName)
		}
		v, err := resolveSecret(env, fmt.Sprintf("environments.%s.cluster.kops.credentials", p.EnvName), cl.Kops.Credentials)
		if err != nil {
			return err
		}
		p.secrets["gcp-credentials"] = v
		kp.kops = &k
	case config.ProviderAKS:
		cred, err := azureCredential(env, p.Config.Azure)
		if err != nil {
			return err
		}
		if kp.aks, err = cloud.NewAKS(p.EnvName, cl, p.Config.Azure.SubscriptionID, cred); err != nil {
			return usageError(err)
		}
		kp.aks.Endpoint = p.Config.Azure.ARMURL
	}

	var err error
	kp.Target, kp.Plan, err = pipeline.NewTarget(pipeline.TargetInput{
		Config: p.Config, Env: p.EnvName, Files: os.DirFS(p.Project.Dir),
		Image: image, Version: p.Release.Version, Secrets: secrets,
	})
	if err != nil {
		return usageError(err)
	}
	p.Kube = kp
	p.Targets = append(p.Targets, kp.lines()...)
	return nil
}

// lines describe the cluster and deploy for `onepipe plan`.
func (kp *kubePlan) lines() []string {
	cluster := kp.Provider + " cluster"
	switch kp.Provider {
	case config.ProviderLocal:
		cluster = fmt.Sprintf("local cluster %q run by the engine (Kubernetes %s, one kwok node; smoke checks against the image as a Dagger service)", orDefault(kp.ClusterName, pipeline.DefaultLocalClusterName), pipeline.KubernetesVersion)
		if kp.RealNode {
			cluster = fmt.Sprintf("local cluster %q run by the engine (Kubernetes %s, one real node with containerd, root capabilities; images loaded by the engine: %s; smoke checks through kubectl port-forward)",
				orDefault(kp.ClusterName, pipeline.DefaultLocalClusterName), pipeline.KubernetesVersion, strings.Join(kp.Plan.Images, ", "))
		}
	case config.ProviderExisting:
		cluster = "existing cluster, kubeconfig from " + kp.KubeconfigRef
	}
	out := []string{"cluster: " + cluster}
	var steps []string
	switch {
	case kp.kops != nil:
		out[0], steps = "cluster: kops", kp.kops.Plan()
	case kp.aks != nil:
		out[0], steps = "cluster: aks", kp.aks.Plan()
	}
	for _, l := range steps {
		out = append(out, "  - "+l)
	}
	out = append(out,
		fmt.Sprintf("deploy: %s to namespace %s (timeout %s per wait)", kp.Target.Values.Image, kp.Target.Values.Namespace, kp.Target.Timeout))
	for i, l := range kp.Plan.Lines() {
		out = append(out, fmt.Sprintf("  %d. %s", i+1, l))
	}
	return out
}

// kubeSteps are the cluster stage (beside the checks) and the deploy stage
// (after publish) of a run.
func (p *plan) kubeSteps(dag *dagger.Client, pl *pipeline.Pipeline, env *Env, address *string) (cluster, deploy pipeline.Step) {
	kp := p.Kube
	var cl *pipeline.Cluster
	cluster = pipeline.Step{Stage: pipeline.StageCluster, Run: func(ctx context.Context, _ *pipeline.Report) (string, error) {
		var err error
		switch kp.Provider {
		case config.ProviderLocal:
			lc := pipeline.NewLocalCluster(dag, kp.ClusterName)
			if kp.RealNode {
				lc = lc.WithRealNode(pl.NodeImages(kp.Plan.Images, kp.Target.Values.Image)...)
			}
			if cl, err = lc.Ensure(ctx); err != nil {
				return "", err
			}
			return cl.Name + " ready", nil
		case config.ProviderKops:
			bin, err := pipeline.KopsRelease(ctx, dag)
			if err != nil {
				return "", err
			}
			if cl, err = pipeline.Kops(ctx, dag, *kp.kops, bin, p.secret(dag, "gcp-credentials"), env.Err); err != nil {
				return "", err
			}
		case config.ProviderAKS:
			ready, err := kp.aks.Ensure(ctx)
			if err != nil {
				return "", err
			}
			for _, n := range ready.Notes {
				fmt.Fprintf(env.Err, "cluster: note: %s\n", n)
			}
			kc, err := kp.aks.Kubeconfig(ctx)
			if err != nil {
				return "", err
			}
			cl = pipeline.ExistingCluster(dag, "aks cluster "+kp.aks.Name, dag.SetSecret("onepipe-aks-kubeconfig-"+kp.aks.Name, string(kc)))
		default:
			cl = pipeline.ExistingCluster(dag, "the cluster of "+kp.KubeconfigRef, p.secret(dag, "kubeconfig"))
		}
		if err = cl.Ready(ctx); err != nil {
			return "", err
		}
		return cl.Name + " answers", nil
	}}

	deploy = pipeline.Step{Stage: pipeline.StageDeploy, Run: func(ctx context.Context, r *pipeline.Report) (string, error) {
		t, plan := kp.Target, kp.Plan
		if len(r.Published) > 0 && kp.Provider != config.ProviderLocal { // the local cluster pulls nothing
			t.Values.Image = r.Published[0].String() // deploy exactly what was pushed
			var err error
			if plan, err = t.Plan(); err != nil {
				return "", err
			}
		}
		rel, err := t.Release(dag, pl, cl, plan, env.Err)
		if err != nil {
			return "", err
		}
		done, err := pipeline.Deploy(ctx, dag, cl, rel)
		if err != nil {
			return "", err
		}
		*address = done.AddressLine()
		detail := fmt.Sprintf("%s to namespace %s", t.Values.Image, t.Values.Namespace)
		if len(done.Smoke) > 0 {
			detail += fmt.Sprintf(", %d smoke checks passed", len(done.Smoke))
		}
		return detail, nil
	}}
	return cluster, deploy
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
