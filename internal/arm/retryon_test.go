package arm

import (
	"context"
	"net/http"
	"testing"
)

// Writes ARM documents as safe to repeat are tried again on 429 and 503
// only: those answers say the request was not carried out ("Throttling
// Resource Manager requests", learn.microsoft.com/azure/azure-resource-manager/management/request-limits-and-throttling,
// and Azure/azure-resource-manager-rpc v1.0/common-api-details.md, "Retry-After").
// A 500 to a PUT may have been applied: it comes back as the error.
func TestSendRetryOnLimitsTheStatuses(t *testing.T) {
	for _, c := range []struct {
		name     string
		status   int
		requests int
	}{
		{"429 tried again", http.StatusTooManyRequests, 2},
		{"503 tried again", http.StatusServiceUnavailable, 2},
		{"500 not", http.StatusInternalServerError, 1},
		{"502 not", http.StatusBadGateway, 1},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := newServer(t, answer{status: c.status, header: retryNow}, answer{status: http.StatusOK})
			_, err := Send(context.Background(), s.Client(), Request{Service: "svc", Method: http.MethodPut, URL: s.URL,
				Tries: 3, RetryOn: []int{http.StatusTooManyRequests, http.StatusServiceUnavailable}})
			if s.requests() != c.requests {
				t.Errorf("%d requests, want %d", s.requests(), c.requests)
			}
			if c.requests == 1 && StatusOf(err) != c.status {
				t.Errorf("err %v, want the %d answer", err, c.status)
			}
			if c.requests == 2 && err != nil {
				t.Errorf("err %v after the retry", err)
			}
		})
	}
}
