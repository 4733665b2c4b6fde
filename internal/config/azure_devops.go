package config

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"time"
)

// azureVarName is a pipeline variable name: letters, digits, . and _
// (learn.microsoft.com/azure/devops/pipelines/process/variables,
// "Variable naming restrictions").
var azureVarName = regexp.MustCompile(`^[A-Za-z0-9._]+$`)

// validateDevOps checks azure.devops.
func (a Azure) validateDevOps() error {
	d := a.DevOps
	if d.Pipeline == "" {
		return nil
	}
	if d.Organization == "" || d.Project == "" {
		return fmt.Errorf("azure.devops: set organization and project for pipeline %q", d.Pipeline)
	}
	switch {
	case d.PAT == "" && d.Token == "":
		return fmt.Errorf("azure.devops: set pat or token (a secret reference) to trigger pipeline %q", d.Pipeline)
	case d.PAT != "" && d.Token != "":
		return fmt.Errorf("azure.devops: set pat or token, not both")
	}
	if err := azureSecretRef("azure.devops.pat", d.PAT); err != nil {
		return err
	}
	if err := azureSecretRef("azure.devops.token", d.Token); err != nil {
		return err
	}
	for _, k := range slices.Sorted(maps.Keys(d.Variables)) {
		switch {
		case !azureVarName.MatchString(k) || strings.HasPrefix(strings.ToLower(k), "endpoint") ||
			strings.HasPrefix(strings.ToLower(k), "input") || strings.HasPrefix(strings.ToLower(k), "secret") ||
			strings.HasPrefix(strings.ToLower(k), "path") || strings.HasPrefix(strings.ToLower(k), "securefile"):
			return fmt.Errorf("azure.devops.variables: %q: use letters, digits, . and _, not starting with endpoint, input, secret, path or securefile", k)
		case AzureIsSecretRef(d.Variables[k]):
			return fmt.Errorf("azure.devops.variables.%s: variables are sent as plain text: keep secrets in the pipeline's variable groups, not in %s", k, FileName)
		}
	}
	if d.PATExpires != "" {
		if _, err := time.Parse(time.DateOnly, d.PATExpires); err != nil {
			return fmt.Errorf("azure.devops.patExpires %q: use a date like 2025-12-31", d.PATExpires)
		}
	}
	return azureDuration("azure.devops.timeout", d.Timeout)
}
