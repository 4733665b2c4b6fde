// Package engine renders the Kubernetes manifests of a long-lived Dagger
// engine that a team's CI jobs share: one engine (or one per node) whose
// cache outlives the runners, reached by every job through
// _EXPERIMENTAL_DAGGER_RUNNER_HOST=kube-pod://POD?namespace=NS&container=C.
// It is pure: it builds typed objects and marshals them, nothing is applied.
package engine

import (
	"fmt"
	"regexp"
	"strings"
)

// Kind is the workload that runs the engine.
type Kind string

const (
	// StatefulSet runs one engine whose cache is a PersistentVolumeClaim:
	// it survives restarts and moves with the pod. Its pod has a fixed
	// name (NAME-0), so jobs use one runner host value.
	StatefulSet Kind = "statefulset"
	// DaemonSet runs one engine per node with its cache in a hostPath: the
	// jobs on a node share that node's engine.
	DaemonSet Kind = "daemonset"
)

// Kinds lists the workloads, the default first.
func Kinds() []Kind { return []Kind{StatefulSet, DaemonSet} }

// Defaults of `onepipe engine manifests`.
const (
	DefaultNamespace = "dagger"
	DefaultName      = "dagger-engine"
	DefaultStorage   = "100Gi"
	DefaultKind      = StatefulSet
)

// ContainerName is the engine's container in its pod, whatever the
// workload's name: the runner host's container= parameter.
const ContainerName = "dagger-engine"

// Options say what to render.
type Options struct {
	// Namespace is where the engine runs; the manifests create it.
	Namespace string
	// Name names the workload and its pods (a StatefulSet's pod is Name-0).
	Name string
	// Kind is the workload: StatefulSet or DaemonSet.
	Kind Kind
	// Storage is the size of a StatefulSet's cache volume, a Kubernetes
	// quantity such as 100Gi. A DaemonSet takes none (its cache is on the node).
	Storage string
	// StorageClass is the StorageClass of a StatefulSet's cache volume;
	// empty means the cluster's default. A DaemonSet takes none.
	StorageClass string
}

// InvalidError is an option with a value that cannot be rendered. Field is
// the option as `onepipe engine manifests` spells its flag (namespace,
// storage-class ...).
type InvalidError struct {
	Field, Value, Fix string
}

func (e *InvalidError) Error() string { return fmt.Sprintf("%s %q: %s", e.Field, e.Value, e.Fix) }

var (
	// dnsLabel is an RFC 1123 label (namespace names).
	dnsLabel = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`)
	// dnsLabel1035 is an RFC 1035 label: it starts with a letter.
	dnsLabel1035 = regexp.MustCompile(`^[a-z]([-a-z0-9]*[a-z0-9])?$`)
	// dnsSubdomain is an RFC 1123 subdomain (StorageClass names).
	dnsSubdomain = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`)
	// quantity is a Kubernetes quantity with a binary or decimal suffix.
	quantity = regexp.MustCompile(`^([0-9]+)(\.[0-9]+)?(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$`)
)

// maxName bounds Name: a workload's pods carry a controller-revision-hash
// label of Name plus a dash and up to 10 characters, and label values stop
// at 63.
const maxName = 52

// ParseKind reads a workload kind as typed on the command line.
func ParseKind(s string) (Kind, error) {
	for _, k := range Kinds() {
		if strings.EqualFold(s, string(k)) {
			return k, nil
		}
	}
	return "", &InvalidError{Field: "kind", Value: s, Fix: "use statefulset or daemonset"}
}

// Validate checks every option; the first problem is an *InvalidError.
func (o Options) Validate() error {
	if len(o.Namespace) > 63 || !dnsLabel.MatchString(o.Namespace) {
		return &InvalidError{Field: "namespace", Value: o.Namespace, Fix: "use up to 63 lowercase letters, digits and dashes"}
	}
	if len(o.Name) > maxName || !dnsLabel1035.MatchString(o.Name) {
		return &InvalidError{Field: "name", Value: o.Name, Fix: fmt.Sprintf("use up to %d lowercase letters, digits and dashes, starting with a letter", maxName)}
	}
	switch o.Kind {
	case StatefulSet:
		if err := checkStorage(o.Storage); err != nil {
			return err
		}
		if o.StorageClass != "" && (len(o.StorageClass) > 253 || !dnsSubdomain.MatchString(o.StorageClass)) {
			return &InvalidError{Field: "storage-class", Value: o.StorageClass, Fix: "give a StorageClass name (kubectl get storageclass lists them), or leave it out for the cluster's default"}
		}
	case DaemonSet:
		const fix = "a DaemonSet keeps each node's cache on the node (hostPath): drop it, or use a StatefulSet for a volume"
		if o.Storage != "" {
			return &InvalidError{Field: "storage", Value: o.Storage, Fix: fix}
		}
		if o.StorageClass != "" {
			return &InvalidError{Field: "storage-class", Value: o.StorageClass, Fix: fix}
		}
	default:
		_, err := ParseKind(string(o.Kind))
		return err
	}
	return nil
}

// checkStorage accepts a positive quantity such as 100Gi or 500G.
func checkStorage(s string) error {
	m := quantity.FindStringSubmatch(s)
	if m == nil {
		return &InvalidError{Field: "storage", Value: s, Fix: "give a size such as 100Gi (Ki, Mi, Gi, Ti or k, M, G, T)"}
	}
	if strings.Trim(m[1]+strings.TrimPrefix(m[2], "."), "0") == "" {
		return &InvalidError{Field: "storage", Value: s, Fix: "give a size above zero, such as 100Gi: the volume holds the engine's cache"}
	}
	return nil
}

// Pod is the engine's pod name that jobs reach, or "" for a DaemonSet,
// whose pods are named per node (see RunnerHost).
func (o Options) Pod() string {
	if o.Kind == StatefulSet {
		return o.Name + "-0"
	}
	return ""
}

// RunnerHost is the _EXPERIMENTAL_DAGGER_RUNNER_HOST value that reaches the
// engine in pod: kube-pod://POD?namespace=NS&container=dagger-engine.
// Namespace and pod are DNS labels, so nothing needs escaping.
func (o Options) RunnerHost(pod string) string {
	return "kube-pod://" + pod + "?namespace=" + o.Namespace + "&container=" + ContainerName
}

// Selector is the label that marks the engine's pods.
func (o Options) Selector() string { return labelName + "=" + o.Name }
