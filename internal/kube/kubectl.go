package kube

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// Where the deploy stage puts things in the kubectl container.
const (
	// KubeconfigPath is where the kubeconfig secret is mounted; KUBECONFIG points at it.
	KubeconfigPath = "/run/secrets/kubeconfig"
	// SecretFilePath is where the app's Secret manifest (SecretManifest) is
	// mounted as a secret file.
	SecretFilePath = "/run/secrets/onepipe/app-secret.yaml"
	// ManifestDir holds the rendered manifests, one file per phase.
	ManifestDir = "/onepipe/manifests"
	// FieldManager owns the fields onepipe applies (server-side apply).
	FieldManager = "onepipe"
)

// revisionJSONPath reads a Deployment's revision annotation.
const revisionJSONPath = `jsonpath={.metadata.annotations.deployment\.kubernetes\.io/revision}`

// ApplyArgs applies files with server-side apply as onepipe. Conflicts are
// forced: onepipe owns what its manifests set, including fields a rollback
// (kubectl rollout undo) or a hand edit changed since.
func ApplyArgs(namespace string, files ...string) []string {
	args := []string{"kubectl", "apply", "--server-side", "--field-manager=" + FieldManager, "--force-conflicts", "--namespace=" + namespace}
	for _, f := range files {
		args = append(args, "-f", f)
	}
	return args
}

// DryRunArgs is ApplyArgs checked by the API server without persisting
// anything (admission, schema and immutability checks included).
func DryRunArgs(namespace string, files ...string) []string {
	args := ApplyArgs(namespace, files...)
	return append(args[:2:2], append([]string{"--dry-run=server"}, args[2:]...)...)
}

// RolloutStatusArgs waits for a Deployment, StatefulSet or DaemonSet to finish
// rolling out, at most timeout.
func RolloutStatusArgs(namespace, kind, name string, timeout time.Duration) []string {
	return []string{"kubectl", "rollout", "status", resource(kind, name), "--namespace=" + namespace, "--timeout=" + timeout.String()}
}

// RevisionArgs prints a Deployment's current revision, or nothing when the
// Deployment does not exist (yet).
func RevisionArgs(namespace, deployment string) []string {
	return []string{"kubectl", "get", resource("Deployment", deployment), "--namespace=" + namespace, "--ignore-not-found", "-o=" + revisionJSONPath}
}

// JobConditionsArgs prints the types of a Job's true conditions
// (Complete, Failed, ...), separated by spaces; see JobDone.
func JobConditionsArgs(namespace, job string) []string {
	return []string{"kubectl", "get", resource("Job", job), "--namespace=" + namespace, `-o=jsonpath={.status.conditions[?(@.status=="True")].type}`}
}

// LogsArgs prints the last lines of the logs of a Job's or Deployment's pod.
func LogsArgs(namespace, kind, name string, lines int) []string {
	return []string{"kubectl", "logs", resource(kind, name), "--namespace=" + namespace, "--all-containers", fmt.Sprintf("--tail=%d", lines)}
}

// PodsArgs lists the pods matching selector with their state.
func PodsArgs(namespace string, selector map[string]string) []string {
	return []string{"kubectl", "get", "pods", "--namespace=" + namespace, "--selector=" + Selector(selector), "-o=wide"}
}

// UndoArgs rolls a Deployment back to revision (rollout undo --to-revision:
// exactly the recorded one, even when this deploy made no new revision).
func UndoArgs(namespace, deployment, revision string) []string {
	return []string{"kubectl", "rollout", "undo", resource("Deployment", deployment), "--namespace=" + namespace, "--to-revision=" + revision}
}

// DeleteArgs deletes an object; a missing one is not an error.
func DeleteArgs(namespace, kind, name string) []string {
	return []string{"kubectl", "delete", resource(kind, name), "--namespace=" + namespace, "--ignore-not-found", "--wait=false"}
}

// AddressArgs prints the load balancer addresses of an Ingress or a Service
// (IPs, then host names, space-separated); empty until one is assigned.
func AddressArgs(namespace, kind, name string) []string {
	return []string{"kubectl", "get", resource(kind, name), "--namespace=" + namespace,
		"-o=jsonpath={.status.loadBalancer.ingress[*].ip} {.status.loadBalancer.ingress[*].hostname}"}
}

// Selector writes labels as a kubectl label selector, sorted: a=b,c=d.
func Selector(labels map[string]string) string {
	keys := make([]string, 0, len(labels))
	for k := range labels {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "=" + labels[k]
	}
	return strings.Join(parts, ",")
}

// resource is kind/name in kubectl's lowercase form: deployment/shop.
func resource(kind, name string) string { return strings.ToLower(kind) + "/" + name }
