package azure

import (
	"encoding/json"
	"fmt"

	"github.com/onepipe/onepipe/internal/arm"
)

// Service names used in errors.
const (
	serviceEntra  = "Microsoft Entra ID"
	serviceARM    = arm.Service
	serviceKudu   = "Kudu"
	serviceDevOps = "Azure DevOps"
	serviceSmoke  = "smoke test"
)

// APIError is an answer outside the expected statuses. Its text names the
// service, the request (without its query string) and the service's own
// message; it never holds a request header or a secret.
type APIError = arm.APIError

// decode unmarshals a JSON answer into v.
func decode(service string, resp *arm.Response, v any) error {
	if err := json.Unmarshal(resp.Body, v); err != nil {
		return fmt.Errorf("%s: unexpected answer (%d, %d bytes): %v", service, resp.Status, len(resp.Body), err)
	}
	return nil
}
