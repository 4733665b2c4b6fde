package kube

import (
	"fmt"
	"path"
	"sort"
	"time"

	"sigs.k8s.io/yaml"

	"github.com/onepipe/onepipe/internal/manifest"
)

// Kind says how the deploy stage runs a step.
type Kind int

const (
	// Run runs Args once; a non-zero exit fails the step.
	Run Kind = iota
	// Poll runs Args every Interval and hands the output to Check until it
	// reports done or an error, failing after Timeout.
	Poll
	// Smoke runs the smoke checks (RunSmoke) against the app's address.
	Smoke
)

// Stage says what a failure of a step means for the environment; see
// (Plan).OnFailure.
type Stage int

// Stages, in the order a deploy goes through them.
const (
	StageRecord   Stage = iota // read the current state; nothing changed yet
	StageValidate              // namespace and server-side dry run
	StagePrepare               // config, secrets, storage, database
	StageMigrate               // the migration Job
	StageApp                   // apply the app and wait for its rollout
	StageExpose                // Services, Ingresses and the rest
	StageSmoke                 // smoke checks
)

// Step is one thing the deploy stage does.
type Step struct {
	Kind  Kind
	Stage Stage
	// Desc says what the step does, for logs and onepipe plan.
	Desc string
	// Args is the command (argv, no shell); empty for Smoke.
	Args []string
	// Target is the object the step is about (deployment/shop, job/x).
	Target string
	// Optional steps may fail without failing the deploy.
	Optional bool
	// Address marks a step whose output is a load balancer address (read it
	// with Address).
	Address bool
	// Check reads a Poll step's output (Poll only).
	Check func(stdout string) (done bool, err error)
	// Interval and Timeout pace a Poll step.
	Interval, Timeout time.Duration
}

// File is a manifest to write into the kubectl container before the steps run.
type File struct {
	Path  string
	Phase Phase
	Data  []byte
}

// Plan is a whole deploy as data.
type Plan struct {
	Namespace string
	// Files are written under ManifestDir before anything runs.
	Files []File
	// Record reads the revision of each app Deployment before anything
	// changes; parse each output with ParseRevision and pass them to OnFailure.
	Record []Step
	// Steps run in order after Record; the first failure stops the deploy.
	Steps []Step
	// Apps are the app Deployments rolled back on failure; Others the app
	// workloads (StatefulSet, DaemonSet) that cannot be.
	Apps, Others []Workload
	// Images are the container images the objects' pods run, sorted, each once.
	Images  []string
	Timeout time.Duration
}

// Workload is a Deployment, StatefulSet or DaemonSet and its pod selector.
type Workload struct {
	Kind, Name string
	Selector   map[string]string
}

// String is kind/name as kubectl writes it: deployment/shop.
func (w Workload) String() string { return resource(w.Kind, w.Name) }

// Input is what a plan is made from.
type Input struct {
	// Namespace of the environment; created when no manifest defines it.
	Namespace string
	// Objects are the rendered manifests.
	Objects []Object
	// SecretName names the app's Secret (manifest.SecretObjectName) when the
	// environment has secrets: the deploy stage mounts its manifest
	// (SecretManifest) at SecretFilePath. Empty when there are none.
	SecretName string
	// Smoke says whether there are smoke checks to run.
	Smoke bool
	// Timeout bounds each wait.
	Timeout time.Duration
}

// PollInterval paces the migration Job's status checks.
const PollInterval = 2 * time.Second

// NewPlan orders the objects into phase files and lists the steps.
func NewPlan(in Input) (Plan, error) {
	if in.Timeout <= 0 {
		return Plan{}, fmt.Errorf("deploy plan: timeout %v is not positive", in.Timeout)
	}
	ns := in.Namespace
	p := Plan{Namespace: ns, Timeout: in.Timeout}
	phases := Order(in.Objects)
	if !hasNamespace(in.Objects, ns) {
		nsObj, err := namespaceObject(ns)
		if err != nil {
			return Plan{}, err
		}
		phases = append([][]Object{{nsObj}}, phases...)
		if len(phases) > 1 && PhaseOf(phases[1][0]) == PhaseNamespace {
			phases = append([][]Object{append(phases[0], phases[1]...)}, phases[2:]...)
		}
	}
	files := map[Phase]string{}
	for _, objs := range phases {
		ph := PhaseOf(objs[0])
		data, err := manifest.Marshal(objs)
		if err != nil {
			return Plan{}, err
		}
		f := File{Path: path.Join(ManifestDir, fmt.Sprintf("%02d-%s.yaml", int(ph), ph)), Phase: ph, Data: data}
		p.Files = append(p.Files, f)
		files[ph] = f.Path
		for _, o := range objs {
			if ph != PhaseApp {
				continue
			}
			w := Workload{Kind: o.Kind, Name: o.Metadata.Name, Selector: podSelector(o)}
			switch o.Kind {
			case "Deployment":
				p.Apps = append(p.Apps, w)
			case "StatefulSet", "DaemonSet":
				p.Others = append(p.Others, w)
			}
		}
	}
	p.Images = Images(in.Objects)
	for _, w := range p.Apps {
		p.Record = append(p.Record, Step{Kind: Run, Stage: StageRecord, Target: w.String(),
			Desc: "record the current revision of " + w.String(), Args: RevisionArgs(ns, w.Name)})
	}

	add := func(s Step) { p.Steps = append(p.Steps, s) }
	apply := func(st Stage, ph Phase, desc string) {
		if f, ok := files[ph]; ok {
			add(Step{Kind: Run, Stage: st, Desc: desc, Args: ApplyArgs(ns, f)})
		}
	}
	apply(StageValidate, PhaseNamespace, "apply namespace "+ns)
	var rest []string
	if in.SecretName != "" {
		rest = append(rest, SecretFilePath)
	}
	for _, f := range p.Files {
		if f.Phase != PhaseNamespace {
			rest = append(rest, f.Path)
		}
	}
	if len(rest) > 0 {
		add(Step{Kind: Run, Stage: StageValidate, Desc: "check every manifest with a server-side dry run", Args: DryRunArgs(ns, rest...)})
	}
	apply(StagePrepare, PhaseAccess, "apply service accounts, roles and quotas")
	apply(StagePrepare, PhaseConfig, "apply ConfigMaps")
	if in.SecretName != "" {
		add(Step{Kind: Run, Stage: StagePrepare, Target: resource("Secret", in.SecretName),
			Desc: "apply secret/" + in.SecretName + " (the environment's secrets)", Args: ApplyArgs(ns, SecretFilePath)})
	}
	apply(StagePrepare, PhaseSecret, "apply Secrets")
	apply(StagePrepare, PhaseStorage, "apply volumes")
	apply(StagePrepare, PhaseDatabase, "apply the database")
	for _, o := range phaseObjects(phases, PhaseDatabase) {
		if o.Kind == "StatefulSet" || o.Kind == "Deployment" {
			add(Step{Kind: Run, Stage: StagePrepare, Target: resource(o.Kind, o.Metadata.Name),
				Desc: "wait for database " + resource(o.Kind, o.Metadata.Name) + " to be ready", Args: RolloutStatusArgs(ns, o.Kind, o.Metadata.Name, in.Timeout)})
		}
	}
	apply(StageMigrate, PhaseMigration, "apply the migration")
	for _, o := range phaseObjects(phases, PhaseMigration) {
		if o.Kind == "Job" {
			job := o.Metadata.Name
			add(Step{Kind: Poll, Stage: StageMigrate, Target: resource("Job", job),
				Desc: "wait for migration job/" + job + " to complete", Args: JobConditionsArgs(ns, job),
				Check: JobDone(job), Interval: PollInterval, Timeout: in.Timeout})
		}
	}
	apply(StageApp, PhaseApp, "apply the app")
	for _, w := range append(append([]Workload(nil), p.Apps...), p.Others...) {
		add(Step{Kind: Run, Stage: StageApp, Target: w.String(),
			Desc: "wait for the rollout of " + w.String(), Args: RolloutStatusArgs(ns, w.Kind, w.Name, in.Timeout)})
	}
	apply(StageExpose, PhaseService, "apply Services")
	apply(StageExpose, PhaseIngress, "apply Ingresses")
	apply(StageExpose, PhaseOther, "apply the other objects")
	for _, o := range append(phaseObjects(phases, PhaseIngress), phaseObjects(phases, PhaseService)...) {
		if o.Kind == "Ingress" || (o.Kind == "Service" && nested(o.Raw, "spec", "type") == "LoadBalancer") {
			add(Step{Kind: Run, Stage: StageExpose, Target: resource(o.Kind, o.Metadata.Name), Optional: true, Address: true,
				Desc: "read the address of " + resource(o.Kind, o.Metadata.Name), Args: AddressArgs(ns, o.Kind, o.Metadata.Name)})
		}
	}
	if in.Smoke {
		add(Step{Kind: Smoke, Stage: StageSmoke, Desc: "run the smoke checks"})
	}
	return p, nil
}

// Lines describes the plan for onepipe plan, one line per step.
func (p Plan) Lines() []string {
	var out []string
	for _, s := range append(append([]Step(nil), p.Record...), p.Steps...) {
		out = append(out, s.Desc)
	}
	return out
}

func hasNamespace(objs []Object, ns string) bool {
	for _, o := range objs {
		if o.Kind == "Namespace" && o.Metadata.Name == ns {
			return true
		}
	}
	return false
}

// namespaceObject is a Namespace made by onepipe when the manifests have none.
func namespaceObject(ns string) (Object, error) {
	type meta struct {
		Name string `json:"name"`
	}
	b, err := yaml.Marshal(struct {
		APIVersion string `json:"apiVersion"`
		Kind       string `json:"kind"`
		Metadata   meta   `json:"metadata"`
	}{"v1", "Namespace", meta{ns}})
	if err != nil {
		return Object{}, fmt.Errorf("namespace %s: %w", ns, err)
	}
	objs, err := manifest.Parse("(onepipe: namespace "+ns+")", b)
	if err != nil {
		return Object{}, err
	}
	return objs[0], nil
}

func phaseObjects(phases [][]Object, ph Phase) []Object {
	for _, objs := range phases {
		if PhaseOf(objs[0]) == ph {
			return objs
		}
	}
	return nil
}

// podSelector is a workload's spec.selector.matchLabels.
func podSelector(o Object) map[string]string {
	m, _ := Lookup(o.Raw, "spec", "selector", "matchLabels").(map[string]any)
	out := make(map[string]string, len(m))
	for k, v := range m {
		if s, ok := v.(string); ok {
			out[k] = s
		}
	}
	return out
}

func nested(m map[string]any, keys ...string) string {
	s, _ := Lookup(m, keys...).(string)
	return s
}

// Lookup returns the value at keys in a decoded object (nil when a key is
// missing or a step is not a mapping): Lookup(o, "spec", "type").
func Lookup(m map[string]any, keys ...string) any {
	var cur any = m
	for _, k := range keys {
		mm, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = mm[k]
	}
	return cur
}

// Images lists the images of every pod template (Deployment, StatefulSet,
// DaemonSet, Job, CronJob, Pod): containers and init containers, sorted,
// each once.
func Images(objs []Object) []string {
	seen := map[string]bool{}
	var out []string
	for _, o := range objs {
		var spec any
		switch o.Kind {
		case "Pod":
			spec = Lookup(o.Raw, "spec")
		case "CronJob":
			spec = Lookup(o.Raw, "spec", "jobTemplate", "spec", "template", "spec")
		default:
			spec = Lookup(o.Raw, "spec", "template", "spec")
		}
		m, _ := spec.(map[string]any)
		for _, key := range []string{"initContainers", "containers"} {
			list, _ := m[key].([]any)
			for _, c := range list {
				container, _ := c.(map[string]any)
				img, _ := container["image"].(string)
				if img != "" && !seen[img] {
					seen[img] = true
					out = append(out, img)
				}
			}
		}
	}
	sort.Strings(out)
	return out
}
