package pipeline

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"path"
	"slices"
	"strings"

	"dagger.io/dagger"

	"github.com/onepipe/onepipe/internal/config"
	"github.com/onepipe/onepipe/internal/helm"
	"github.com/onepipe/onepipe/internal/kube"
	"github.com/onepipe/onepipe/internal/versions"
)

// Where the chart and its values files are in the helm container.
const (
	helmChartDir  = "/onepipe/chart"
	helmValuesDir = "/onepipe/values"
)

// helmTarget deploys the app with a Helm chart (deploy.chart): a chart
// folder in the app or a pinned chart reference, the environment's values
// files, onepipe's values (helm.Values) and the image injected last. It
// reads the release's history (the revision to come back to), runs helm
// upgrade --install --atomic --wait (a failed upgrade rolls itself back),
// then runs the smoke checks; when they fail, Rollback runs helm rollback
// to the recorded revision (a first release is uninstalled).
type helmTarget struct {
	chart   config.Chart
	file    helm.ChartFile // the chart folder's Chart.yaml (Path only)
	release helm.Release
	deploy  config.Deploy
	values  helm.Values
	files   []string          // the environment's values files, in the source
	secrets map[string]string // by variable name; never printed

	// what a Deploy left, for Rollback and Address
	cluster *Cluster
	ctr     *dagger.Container
	log     io.Writer
	before  helm.Before
	stage   helm.Stage
	failed  string // the failed step, described
	address string
}

func newHelmTarget(in TargetInput) (Target, error) {
	e, err := in.Config.Environment(in.Env)
	if err != nil {
		return nil, err
	}
	d := in.Config.Deploy.WithDefaults()
	if d.Chart == nil {
		return nil, errors.New("deploy.chart is not set")
	}
	timeout, err := d.TimeoutDuration()
	if err != nil {
		return nil, err
	}
	c := *d.Chart
	for _, env := range slices.Sorted(maps.Keys(c.Values)) {
		if _, ok := in.Config.Environments[env]; !ok {
			return nil, fmt.Errorf("deploy.chart.values.%s: there is no environment %s: use one of %s (the names under environments: in %s)",
				env, env, strings.Join(in.Config.EnvironmentNames(), ", "), config.FileName)
		}
	}
	t := &helmTarget{
		chart:   c,
		deploy:  d,
		files:   c.Values[in.Env],
		release: helm.Release{Name: c.ReleaseName(in.Config.App), Namespace: e.Namespace, Timeout: timeout},
	}
	if c.Path != "" {
		if t.file, err = helm.ReadChart(in.Files, path.Clean(c.Path), "deploy.chart.path"); err != nil {
			return nil, err
		}
	}
	for i, f := range t.files {
		if err := helm.CheckValuesFile(in.Files, path.Clean(f), fmt.Sprintf("deploy.chart.values.%s[%d]", in.Env, i)); err != nil {
			return nil, err
		}
	}
	t.secrets = map[string]string{}
	for _, name := range slices.Sorted(maps.Keys(e.Secrets)) {
		v, err := in.Secret(fmt.Sprintf("environments.%s.secrets.%s", in.Env, name), e.Secrets[name])
		if err != nil {
			return nil, err
		}
		t.secrets[name] = v
	}
	t.values = helm.Values{
		App:         in.Config.App,
		Environment: in.Env,
		Namespace:   e.Namespace,
		Version:     in.Version,
		Image:       in.Image,
		Host:        e.Host,
		Replicas:    e.Replicas,
		Port:        d.Port,
		Vars:        e.Vars,
		SecretNames: slices.Sorted(maps.Keys(t.secrets)),
		Migration:   d.Migration,
	}
	return t, nil
}

// chartLine names the chart: "chart flask 0.1.0 (deploy/chart)" or "chart
// oci://r.example.com/charts/web 1.4.2".
func (t *helmTarget) chartLine() string {
	if t.chart.Path != "" {
		return fmt.Sprintf("chart %s %s (%s)", t.file.Name, t.file.Version, path.Clean(t.chart.Path))
	}
	if t.chart.Repo != "" {
		return fmt.Sprintf("chart %s %s from %s", t.chart.Ref, t.chart.Version, t.chart.Repo)
	}
	return fmt.Sprintf("chart %s %s", t.chart.Ref, t.chart.Version)
}

// Plan describes the deploy: the release, namespace, chart and its
// version, the values files in the order helm applies them, and each step.
func (t *helmTarget) Plan() []string {
	r := t.release
	repo, tag := helm.SplitImage(t.values.Image)
	values := []string{"the chart's values.yaml", t.values.Describe()}
	values = append(values, t.files...)
	values = append(values, fmt.Sprintf("image.repository=%s image.tag=%s", repo, tag))
	smoke := "no smoke checks (deploy.smoke is empty)"
	if n := len(t.deploy.Smoke); n > 0 {
		smoke = fmt.Sprintf("run the %d smoke checks; if they fail, helm rollback to the revision read in 1 (a first release is uninstalled)", n)
	}
	return []string{
		fmt.Sprintf("deploy: helm release %s of %s to namespace %s with helm %s (timeout %s per wait)", r.Name, t.chartLine(), r.Namespace, versions.Helm, r.Timeout),
		"  values: " + strings.Join(values, ", then "),
		fmt.Sprintf("  1. read the history of release %s (the revision to roll back to)", r.Name),
		fmt.Sprintf("  2. helm upgrade --install %s --atomic --wait --wait-for-jobs (a failed upgrade rolls back by itself; keeps %d revisions)", r.Name, helm.HistoryMax),
		"  3. read the release's objects and the address of its Ingresses and LoadBalancer Services",
		"  4. " + smoke,
	}
}

func (t *helmTarget) Address() string { return t.address }

// ReleaseImages is the app's image: the chart's others are not known before
// helm renders it.
func (t *helmTarget) ReleaseImages() ([]string, string) {
	return []string{t.values.Image}, t.values.Image
}

// source is the chart argument of helm upgrade.
func (t *helmTarget) source() helm.Source {
	if t.chart.Path != "" {
		return helm.Source{Dir: helmChartDir}
	}
	return helm.Source{Ref: t.chart.Ref, Repo: t.chart.Repo, Version: t.chart.Version}
}

// container is the cluster's kubectl container (kubeconfig mounted,
// KUBECONFIG set, the local cluster bound) with helm, so that helm reaches
// the cluster exactly as kubectl does, and the chart and the values files,
// in the order helm applies them; onepipe's secrets file is a mounted
// secret. Every call on it goes through Cluster.Exec.
func (t *helmTarget) container(ctx context.Context, to Destination) (*dagger.Container, []string, error) {
	bin, err := cachedHelm(ctx, to.Dag, to.Cache)
	if err != nil {
		return nil, nil, err
	}
	ctr := to.Cluster.Kubectl().WithFile("/usr/local/bin/helm", bin)
	var source *dagger.Directory
	if t.chart.Path != "" || len(t.files) > 0 {
		if to.Pipeline == nil {
			return nil, nil, errors.New("deploy: no app source to take the chart from")
		}
		source = to.Pipeline.Source()
	}
	if t.chart.Path != "" {
		ctr = ctr.WithDirectory(helmChartDir, source.Directory(path.Clean(t.chart.Path)))
	}
	var files []string
	add := func(name string, data []byte) {
		p := path.Join(helmValuesDir, name)
		ctr = ctr.WithNewFile(p, string(data))
		files = append(files, p)
	}
	own, err := helm.ValuesFile(t.values)
	if err != nil {
		return nil, nil, err
	}
	add("0-onepipe.yaml", own)
	if len(t.secrets) > 0 {
		data, err := helm.SecretValuesFile(t.secrets)
		if err != nil {
			return nil, nil, err
		}
		p := path.Join(helmValuesDir, "0-onepipe-secrets.yaml")
		ctr = ctr.WithMountedSecret(p, NewSecret(to.Dag, SecretChartValues, t.values.Environment, string(data)))
		files = append(files, p)
	}
	for i, f := range t.files {
		p := path.Join(helmValuesDir, fmt.Sprintf("%d-%s", i+1, path.Base(f)))
		ctr = ctr.WithFile(p, source.File(path.Clean(f)))
		files = append(files, p)
	}
	image, err := helm.ImageValuesFile(t.values.Image)
	if err != nil {
		return nil, nil, err
	}
	add("9-image.yaml", image)
	return ctr, files, nil
}

// Deploy records the release's deployed revision, installs or upgrades it
// with helm (atomic, waiting for the rollout and the Jobs), reads its
// objects and addresses, then runs the smoke checks. A cluster outside the
// engine gets the pushed image.
func (t *helmTarget) Deploy(ctx context.Context, to Destination) (Deployed, error) {
	if to.Cluster == nil {
		return Deployed{}, errors.New("deploy: no cluster to deploy to")
	}
	cl, log, r := to.Cluster, to.log(), t.release
	t.cluster, t.log = cl, log
	if to.Image != "" && !cl.InEngine { // a cluster in the engine pulls nothing
		t.values.Image = to.Image
	}
	ctr, files, err := t.container(ctx, to)
	if err != nil {
		return Deployed{}, err
	}
	t.ctr = ctr

	t.stage, t.failed = helm.StageRecord, "read the history of release "+r.Name
	out, err := cl.Exec(ctx, ctr, r.HistoryArgs())
	hist, err := readHistory(out, err)
	if err != nil {
		return Deployed{}, err
	}
	if busy, ok := hist.Busy(); ok {
		return Deployed{}, fmt.Errorf("release %s in namespace %s is %s at revision %d (an earlier helm command was interrupted), and helm upgrades no release in that state: run helm rollback %s --namespace %s (helm uninstall when it never deployed), then deploy again",
			r.Name, r.Namespace, busy.Status, busy.Number, r.Name, r.Namespace)
	}
	if rev, ok := hist.Deployed(); ok {
		t.before = helm.Before{Exists: true, Revision: rev}
		fmt.Fprintf(log, "deploy: release %s is at %s\n", r.Name, rev)
	} else {
		fmt.Fprintf(log, "deploy: release %s is new\n", r.Name)
	}

	t.stage, t.failed = helm.StageUpgrade, "helm upgrade --install "+r.Name
	fmt.Fprintf(log, "deploy: helm upgrade --install %s (%s, image %s) in namespace %s, waiting up to %s\n", r.Name, t.chartLine(), t.values.Image, r.Namespace, r.Timeout)
	out, err = cl.Exec(ctx, ctr, r.UpgradeArgs(t.source(), files))
	printIndented(log, out)
	if err != nil {
		return Deployed{}, err
	}
	rev, _ := helm.UpgradedRevision(out)

	t.stage, t.failed = helm.StageVerify, "read the objects of release "+r.Name
	out, err = cl.Exec(ctx, ctr, r.ObjectsArgs())
	if err != nil {
		return Deployed{}, err
	}
	release, err := helm.ParseObjects(out, r.Name)
	if err != nil {
		return Deployed{}, err
	}
	objs := helm.Inspect(release)
	var addresses []string
	for _, w := range objs.Addressed {
		out, err := cl.Exec(ctx, ctr, kube.AddressArgs(r.Namespace, w.Kind, w.Name))
		if err != nil {
			fmt.Fprintf(log, "deploy: read the address of %s failed (optional): %v\n", w, err)
			continue
		}
		if a := kube.Address(out); a != "" {
			addresses = append(addresses, a)
		}
	}
	host := t.values.Host
	if len(objs.Hosts) > 0 {
		host = objs.Hosts[0]
	}

	var d Deployed
	if len(t.deploy.Smoke) > 0 {
		t.failed = "run the smoke checks"
		fmt.Fprintf(log, "deploy: %s\n", t.failed)
		app := ""
		if len(objs.Apps) > 0 {
			app = objs.Apps[0].String()
		}
		d.Smoke, err = runClusterSmoke(ctx, to, clusterSmoke{
			Deploy: t.deploy, Vars: t.values.Vars, Secrets: t.smokeSecrets(to.Dag),
			Namespace: r.Namespace, App: app, Host: host, Addresses: addresses, Timeout: r.Timeout,
		})
		if err != nil {
			return d, err
		}
	}
	d.Address, d.Note = address(host, addresses, cl.Simulated || cl.PortForward)
	t.address = d.AddressLine()
	d.Summary = fmt.Sprintf("%s to namespace %s with helm release %s", t.values.Image, r.Namespace, r.Name)
	if rev > 0 {
		d.Summary += fmt.Sprintf(" (revision %d)", rev)
	}
	if len(d.Smoke) > 0 {
		d.Summary += fmt.Sprintf(", %d smoke checks passed", len(d.Smoke))
	}
	return d, nil
}

// smokeSecrets are the environment's secrets for the smoke service.
func (t *helmTarget) smokeSecrets(dag *dagger.Client) map[string]*dagger.Secret {
	out := map[string]*dagger.Secret{}
	for name, v := range t.secrets {
		out[name] = NewSecret(dag, SecretAppVariable, t.values.Environment+"-"+name, v)
	}
	return out
}
