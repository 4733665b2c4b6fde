// Package helm is the Helm chart target's logic without the engine: the
// helm commands (as argv slices) that install, inspect and roll back a
// release, the values files onepipe hands a chart, the chart's Chart.yaml,
// the release history helm prints, and what to do when a deploy fails. It
// runs nothing itself: the deploy stage runs the commands in a container
// with helm and the cluster's kubeconfig.
package helm

import (
	"strconv"
	"time"
)

// HistoryMax is how many revisions of a release helm keeps (--history-max):
// enough to roll back through several bad releases.
const HistoryMax = 10

// Release is a Helm release in a namespace; Timeout bounds each helm wait.
type Release struct {
	Name, Namespace string
	Timeout         time.Duration
}

// Source is where the chart comes from: a folder in the deploy container
// (Dir), or a reference (Ref: oci://... or a chart name in Repo) at Version.
type Source struct {
	Dir                string
	Ref, Repo, Version string
}

// args are the chart argument and the flags that pick its version.
func (s Source) args() []string {
	if s.Dir != "" {
		return []string{s.Dir}
	}
	out := []string{s.Ref, "--version=" + s.Version}
	if s.Repo != "" {
		out = append(out, "--repo="+s.Repo)
	}
	return out
}

func (r Release) ns() string      { return "--namespace=" + r.Namespace }
func (r Release) timeout() string { return "--timeout=" + r.Timeout.String() }

// UpgradeArgs installs the release, or upgrades it to a new revision:
// atomically (a failed upgrade rolls back by itself, a failed first install
// is removed), waiting for every workload to be ready and every Job (the
// migration hook) to complete, keeping HistoryMax revisions. values are the
// values files in order: later ones win.
func (r Release) UpgradeArgs(src Source, values []string) []string {
	args := append([]string{"helm", "upgrade", r.Name}, src.args()...)
	args = append(args, "--install", r.ns(), "--create-namespace",
		"--atomic", "--wait", "--wait-for-jobs", r.timeout(),
		"--history-max="+strconv.Itoa(HistoryMax))
	for _, v := range values {
		args = append(args, "--values="+v)
	}
	return args
}

// HistoryArgs prints the release's revisions as JSON (ParseHistory); helm
// exits 1 with "release: not found" (NotFound) when there is none.
func (r Release) HistoryArgs() []string {
	return []string{"helm", "history", r.Name, r.ns(), "--output=json"}
}

// RollbackArgs rolls the release back to revision rev, as a new revision,
// and waits for it.
func (r Release) RollbackArgs(rev int) []string {
	return []string{"helm", "rollback", r.Name, strconv.Itoa(rev), r.ns(),
		"--wait", "--wait-for-jobs", r.timeout(), "--history-max=" + strconv.Itoa(HistoryMax)}
}

// UninstallArgs removes the release and waits until its objects are gone.
func (r Release) UninstallArgs() []string {
	return []string{"helm", "uninstall", r.Name, r.ns(), "--wait", r.timeout()}
}

// PodsArgs lists the release's pods (the chart's app.kubernetes.io/instance
// label), for the output when a deploy fails.
func (r Release) PodsArgs() []string {
	return []string{"kubectl", "get", "pods", r.ns(), "--selector=" + InstanceLabel + "=" + r.Name, "-o=wide"}
}

// InstanceLabel is the label Helm's conventions give every object of a
// release, with the release's name.
const InstanceLabel = "app.kubernetes.io/instance"
