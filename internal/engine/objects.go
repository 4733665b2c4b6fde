package engine

// The Kubernetes objects the manifests hold, as typed structs with the
// fields onepipe sets and nothing else: their JSON tags are the API's field
// names, and sigs.k8s.io/yaml marshals them.

type typeMeta struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
}

type objectMeta struct {
	Name      string            `json:"name"`
	Namespace string            `json:"namespace,omitempty"`
	Labels    map[string]string `json:"labels,omitempty"`
}

type namespace struct {
	typeMeta
	Metadata objectMeta `json:"metadata"`
}

type role struct {
	typeMeta
	Metadata objectMeta   `json:"metadata"`
	Rules    []policyRule `json:"rules"`
}

type policyRule struct {
	APIGroups []string `json:"apiGroups"`
	Resources []string `json:"resources"`
	Verbs     []string `json:"verbs"`
}

type statefulSet struct {
	typeMeta
	Metadata objectMeta      `json:"metadata"`
	Spec     statefulSetSpec `json:"spec"`
}

type statefulSetSpec struct {
	Replicas             int                `json:"replicas"`
	Selector             labelSelector      `json:"selector"`
	Template             podTemplate        `json:"template"`
	VolumeClaimTemplates []claimTemplate    `json:"volumeClaimTemplates"`
	ClaimRetention       claimRetention     `json:"persistentVolumeClaimRetentionPolicy"`
	UpdateStrategy       statefulSetUpdates `json:"updateStrategy"`
}

type statefulSetUpdates struct {
	Type string `json:"type"`
}

type claimRetention struct {
	WhenDeleted string `json:"whenDeleted"`
	WhenScaled  string `json:"whenScaled"`
}

type claimTemplate struct {
	Metadata templateMeta `json:"metadata"`
	Spec     claimSpec    `json:"spec"`
}

type claimSpec struct {
	AccessModes      []string     `json:"accessModes"`
	StorageClassName string       `json:"storageClassName,omitempty"`
	Resources        requirements `json:"resources"`
}

type daemonSet struct {
	typeMeta
	Metadata objectMeta    `json:"metadata"`
	Spec     daemonSetSpec `json:"spec"`
}

type daemonSetSpec struct {
	Selector labelSelector `json:"selector"`
	Template podTemplate   `json:"template"`
}

type labelSelector struct {
	MatchLabels map[string]string `json:"matchLabels"`
}

type podTemplate struct {
	Metadata templateMeta `json:"metadata"`
	Spec     podSpec      `json:"spec"`
}

// templateMeta is the metadata of a pod or claim template: the workload
// names what it makes.
type templateMeta struct {
	Name   string            `json:"name,omitempty"`
	Labels map[string]string `json:"labels"`
}

type podSpec struct {
	Containers                    []container `json:"containers"`
	Volumes                       []volume    `json:"volumes,omitempty"`
	TerminationGracePeriodSeconds int         `json:"terminationGracePeriodSeconds"`
}

type container struct {
	Name            string          `json:"name"`
	Image           string          `json:"image"`
	ImagePullPolicy string          `json:"imagePullPolicy"`
	SecurityContext securityContext `json:"securityContext"`
	ReadinessProbe  probe           `json:"readinessProbe"`
	Resources       requirements    `json:"resources"`
	VolumeMounts    []volumeMount   `json:"volumeMounts"`
}

type securityContext struct {
	Privileged bool `json:"privileged"`
}

type probe struct {
	Exec                execAction `json:"exec"`
	InitialDelaySeconds int        `json:"initialDelaySeconds"`
	PeriodSeconds       int        `json:"periodSeconds"`
	TimeoutSeconds      int        `json:"timeoutSeconds"`
	FailureThreshold    int        `json:"failureThreshold"`
}

type execAction struct {
	Command []string `json:"command"`
}

type requirements struct {
	Requests map[string]string `json:"requests"`
}

type volumeMount struct {
	Name      string `json:"name"`
	MountPath string `json:"mountPath"`
}

type volume struct {
	Name     string          `json:"name"`
	HostPath *hostPathSource `json:"hostPath,omitempty"`
}

type hostPathSource struct {
	Path string `json:"path"`
	Type string `json:"type"`
}
