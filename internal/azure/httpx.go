package azure

import (
	"encoding/json"
	"fmt"

	"github.com/onepipe/onepipe/internal/arm"
)

// Service names used in errors.
const (
	serviceEntra  = "Microsoft Entra ID"
	serviceKudu   = "Kudu"
	serviceDevOps = "Azure DevOps"
	serviceSmoke  = "smoke test"
)

// decode unmarshals a JSON answer into v.
func decode(service string, resp *arm.Response, v any) error {
	if err := json.Unmarshal(resp.Body, v); err != nil {
		return fmt.Errorf("%s: unexpected answer (%d, %d bytes): %v", service, resp.Status, len(resp.Body), err)
	}
	return nil
}
