package engine

import (
	"bytes"
	"fmt"
	"strings"

	"sigs.k8s.io/yaml"

	"github.com/onepipe/onepipe/internal/versions"
)

// What every engine gets, whatever the options.
const (
	// StatePath is where the engine keeps its cache and state.
	StatePath = "/var/lib/dagger"
	// gracePeriod gives a stopping engine time to finish the operations in
	// flight and flush its cache to disk (Dagger's own chart gives 5 minutes).
	gracePeriod = 300
	// requestCPU and requestMemory reserve what one build needs to make
	// progress; the engine may use more when the node has it (no limits:
	// an engine killed for memory loses every job it runs).
	requestCPU    = "1"
	requestMemory = "2Gi"
	// hostPathRoot holds a DaemonSet engine's state on each node, one
	// folder per namespace and name so two engines never share a lock.
	hostPathRoot = "/var/lib/onepipe-engine"
	// dataVolume names the cache volume in the pod.
	dataVolume = "data"
)

// Labels.
const (
	labelName      = "app.kubernetes.io/name"
	labelComponent = "app.kubernetes.io/component"
	labelVersion   = "app.kubernetes.io/version"
	labelManagedBy = "app.kubernetes.io/managed-by"
	// labelEnforce is Pod Security admission's level for a namespace: the
	// engine runs privileged, which the baseline and restricted levels refuse.
	labelEnforce = "pod-security.kubernetes.io/enforce"
)

// ClientRole is the Role a job's identity needs, bound in the engine's
// namespace, to reach the engine through kube-pod:// (kubectl exec).
func (o Options) ClientRole() string { return o.Name + "-client" }

// Render validates o and returns the manifests: a comment naming the runner
// host jobs use, then the Namespace, the Role jobs are bound to and the
// engine's StatefulSet or DaemonSet, as one multi-document YAML stream.
func Render(o Options) ([]byte, error) {
	if err := o.Validate(); err != nil {
		return nil, err
	}
	var b bytes.Buffer
	b.WriteString(o.header())
	for i, obj := range o.objects() {
		y, err := yaml.Marshal(obj)
		if err != nil {
			return nil, fmt.Errorf("marshal the engine manifests: %w", err)
		}
		if i > 0 {
			b.WriteString("---\n")
		}
		b.Write(y)
	}
	return b.Bytes(), nil
}

// header is the comment at the top: what the manifests run, how to apply
// them and the _EXPERIMENTAL_DAGGER_RUNNER_HOST value jobs use.
func (o Options) header() string {
	var lines []string
	add := func(format string, args ...any) { lines = append(lines, fmt.Sprintf(format, args...)) }
	add("A shared Dagger engine (%s) for onepipe's CI jobs.", versions.DaggerEngineImage)
	switch o.Kind {
	case StatefulSet:
		size := o.Storage
		if o.StorageClass != "" {
			size += " " + o.StorageClass
		}
		add("StatefulSet %s in namespace %s: one engine, its cache on a %s volume", o.Name, o.Namespace, size)
		add("(%s) that survives restarts and is shared by every runner.", StatePath)
	case DaemonSet:
		add("DaemonSet %s in namespace %s: one engine per node, its cache in", o.Name, o.Namespace)
		add("%s on the node, shared by the runners there.", o.hostPath())
	}
	add("")
	add("Apply:  kubectl apply --server-side -f FILE")
	add("Jobs need kubectl and the Role %s bound to their identity, e.g.", o.ClientRole())
	add("  kubectl create rolebinding %s -n %s --role %s --serviceaccount RUNNER_NS:RUNNER_SA", o.ClientRole(), o.Namespace, o.ClientRole())
	add("and the engine's version of the dagger CLI (v%s); then they reach it with", versions.Dagger)
	if pod := o.Pod(); pod != "" {
		add("  _EXPERIMENTAL_DAGGER_RUNNER_HOST=%s", o.RunnerHost(pod))
	} else {
		add("  _EXPERIMENTAL_DAGGER_RUNNER_HOST=%s", o.RunnerHost("POD"))
		add("where POD is the engine on the job's node (NODE):")
		add("  kubectl get pods -n %s -l %s --field-selector spec.nodeName=NODE -o jsonpath='{.items[0].metadata.name}'", o.Namespace, o.Selector())
	}
	var b strings.Builder
	for _, l := range lines {
		b.WriteString(strings.TrimRight("# "+l, " "))
		b.WriteString("\n")
	}
	return b.String()
}

// objects are the manifests in the order they are applied.
func (o Options) objects() []any {
	pod := o.podTemplate()
	selector := labelSelector{MatchLabels: map[string]string{labelName: o.Name}}
	objs := []any{o.namespace(), o.role()}
	switch o.Kind {
	case StatefulSet:
		objs = append(objs, statefulSet{
			typeMeta: typeMeta{APIVersion: "apps/v1", Kind: "StatefulSet"},
			Metadata: o.meta(o.Name),
			Spec: statefulSetSpec{
				// One engine: a second one would start cold, with its own
				// volume, and split the jobs' cache.
				Replicas: 1,
				Selector: selector,
				Template: pod,
				VolumeClaimTemplates: []claimTemplate{{
					// No version label: a StatefulSet's claim templates
					// cannot change once applied, and a new engine release
					// must apply over the old one.
					Metadata: templateMeta{Name: dataVolume, Labels: o.stableLabels()},
					Spec: claimSpec{
						AccessModes:      []string{"ReadWriteOnce"},
						StorageClassName: o.StorageClass,
						Resources:        requirements{Requests: map[string]string{"storage": o.Storage}},
					},
				}},
				// The cache is the point: keep it when the StatefulSet is
				// deleted or scaled down (kubectl delete pvc to free it).
				ClaimRetention: claimRetention{WhenDeleted: "Retain", WhenScaled: "Retain"},
				UpdateStrategy: statefulSetUpdates{Type: "RollingUpdate"},
			},
		})
	case DaemonSet:
		pod.Spec.Volumes = []volume{{
			Name:     dataVolume,
			HostPath: &hostPathSource{Path: o.hostPath(), Type: "DirectoryOrCreate"},
		}}
		objs = append(objs, daemonSet{
			typeMeta: typeMeta{APIVersion: "apps/v1", Kind: "DaemonSet"},
			Metadata: o.meta(o.Name),
			Spec:     daemonSetSpec{Selector: selector, Template: pod},
		})
	}
	return objs
}

func (o Options) namespace() namespace {
	return namespace{
		typeMeta: typeMeta{APIVersion: "v1", Kind: "Namespace"},
		Metadata: objectMeta{Name: o.Namespace, Labels: map[string]string{
			labelManagedBy: "onepipe",
			labelEnforce:   "privileged",
		}},
	}
}

// role lets a job find the engine's pod and exec into it: what kube-pod://
// does with kubectl.
func (o Options) role() role {
	return role{
		typeMeta: typeMeta{APIVersion: "rbac.authorization.k8s.io/v1", Kind: "Role"},
		Metadata: o.meta(o.ClientRole()),
		Rules: []policyRule{
			{APIGroups: []string{""}, Resources: []string{"pods"}, Verbs: []string{"get", "list"}},
			{APIGroups: []string{""}, Resources: []string{"pods/exec"}, Verbs: []string{"create", "get"}},
		},
	}
}

// podTemplate is the engine's pod: one privileged container with its state
// on the data volume, ready once the engine answers `dagger core version`.
func (o Options) podTemplate() podTemplate {
	return podTemplate{
		Metadata: templateMeta{Labels: o.labels()},
		Spec: podSpec{
			Containers: []container{{
				Name:            ContainerName,
				Image:           versions.DaggerEngineImage,
				ImagePullPolicy: "IfNotPresent",
				// The engine runs containers itself (runc, overlay mounts,
				// networking): it needs a privileged container.
				SecurityContext: securityContext{Privileged: true},
				// The engine image carries the dagger CLI, which reaches the
				// engine on its local socket: ready means it answers. The
				// timings follow Dagger's own chart: a cold engine takes a
				// while to load a large cache.
				ReadinessProbe: probe{
					Exec:                execAction{Command: []string{"dagger", "core", "version"}},
					InitialDelaySeconds: 5,
					PeriodSeconds:       15,
					TimeoutSeconds:      14,
					FailureThreshold:    10,
				},
				Resources:    requirements{Requests: map[string]string{"cpu": requestCPU, "memory": requestMemory}},
				VolumeMounts: []volumeMount{{Name: dataVolume, MountPath: StatePath}},
			}},
			TerminationGracePeriodSeconds: gracePeriod,
		},
	}
}

func (o Options) hostPath() string { return hostPathRoot + "/" + o.Namespace + "/" + o.Name }

// meta names a namespaced object of the engine's.
func (o Options) meta(name string) objectMeta {
	return objectMeta{Name: name, Namespace: o.Namespace, Labels: o.labels()}
}

// labels mark every object of the engine's, with the engine's version.
func (o Options) labels() map[string]string {
	l := o.stableLabels()
	l[labelVersion] = "v" + versions.Dagger
	return l
}

// stableLabels are the labels that do not change between engine releases.
func (o Options) stableLabels() map[string]string {
	return map[string]string{
		labelName:      o.Name,
		labelComponent: "dagger-engine",
		labelManagedBy: "onepipe",
	}
}
