// Command loadclient is the gRPC load bench's closed-loop client: light enough to leave
// the server the machine's cores when both share one.
//
// A Python asyncio client spends ~250 µs of CPU per call and ghz ~300 µs (it builds
// every request from JSON through dynamic messages), on the same two cores the server
// has; at 50 concurrent callers the client then sets the latency as much as the server.
// This one sends requests the bench serialised beforehand, as raw bytes, and keeps the
// responses as raw bytes (counted, not parsed: the bench's asyncio phases parse the same
// answers), so a call costs little more than grpc-go's own work.
//
// Requests file: each request as a 4-byte big-endian length and the message bytes.
// A bearer token, when the server asks for one, is read from SUPPLYNET_TOKEN.
// Output (stdout, JSON): wall seconds of the timed calls, every latency in ms, errors by
// status code, and response bytes received.
package main

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
)

// rawCodec passes pre-serialised messages through: the wire format is protobuf's, the
// bytes are the bench's.
type rawCodec struct{}

func (rawCodec) Marshal(v any) ([]byte, error) {
	b, ok := v.(*[]byte)
	if !ok {
		return nil, fmt.Errorf("raw codec: want *[]byte, got %T", v)
	}
	return *b, nil
}

func (rawCodec) Unmarshal(data []byte, v any) error {
	b, ok := v.(*[]byte)
	if !ok {
		return fmt.Errorf("raw codec: want *[]byte, got %T", v)
	}
	*b = append((*b)[:0], data...)
	return nil
}

func (rawCodec) Name() string { return "proto" }

type report struct {
	WallS         float64        `json:"wall_s"`
	LatenciesMs   []float64      `json:"latencies_ms"`
	Errors        map[string]int `json:"errors"`
	ResponseBytes int64          `json:"response_bytes"`
}

func readRequests(path string) ([][]byte, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var requests [][]byte
	for len(data) > 0 {
		if len(data) < 4 {
			return nil, io.ErrUnexpectedEOF
		}
		size := binary.BigEndian.Uint32(data[:4])
		if uint32(len(data)-4) < size {
			return nil, io.ErrUnexpectedEOF
		}
		requests = append(requests, data[4:4+size])
		data = data[4+size:]
	}
	if len(requests) == 0 {
		return nil, fmt.Errorf("%s holds no requests", path)
	}
	return requests, nil
}

func main() {
	target := flag.String("target", "", "host:port")
	method := flag.String("method", "", "full method, /package.Service/Method")
	requestsPath := flag.String("requests", "", "length-prefixed serialised requests, sent round-robin")
	calls := flag.Int("n", 2000, "timed calls")
	concurrency := flag.Int("c", 50, "callers, each sending its next call when its last answered")
	connections := flag.Int("connections", 50, "TCP connections the callers share round-robin")
	timeout := flag.Duration("timeout", 10*time.Second, "deadline of each call")
	cpus := flag.Int("cpus", 1, "cores the client may use")
	flag.Parse()
	if *target == "" || *method == "" || *requestsPath == "" || *calls < 1 || *concurrency < 1 || *connections < 1 {
		fmt.Fprintln(os.Stderr, "loadclient: -target, -method, -requests and positive -n, -c, -connections are required")
		os.Exit(2)
	}
	runtime.GOMAXPROCS(*cpus)
	requests, err := readRequests(*requestsPath)
	if err != nil {
		fmt.Fprintln(os.Stderr, "loadclient: requests:", err)
		os.Exit(2)
	}
	ctx := context.Background()
	// the token comes from the environment, as serve's does: a flag shows in the process list
	if token := os.Getenv("SUPPLYNET_TOKEN"); token != "" {
		ctx = metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+token)
	}
	conns := make([]*grpc.ClientConn, *connections)
	for i := range conns {
		conn, err := grpc.NewClient(*target,
			grpc.WithTransportCredentials(insecure.NewCredentials()),
			grpc.WithDefaultCallOptions(grpc.ForceCodec(rawCodec{})))
		if err != nil {
			fmt.Fprintln(os.Stderr, "loadclient: connect:", err)
			os.Exit(1)
		}
		defer conn.Close()
		conns[i] = conn
	}
	invoke := func(conn *grpc.ClientConn, request []byte, response *[]byte) error {
		callCtx, cancel := context.WithTimeout(ctx, *timeout)
		defer cancel()
		return conn.Invoke(callCtx, *method, &request, response)
	}
	// untimed: one call per connection opens it, as the asyncio client's are open
	var warm []byte
	for i, conn := range conns {
		if err := invoke(conn, requests[i%len(requests)], &warm); err != nil {
			fmt.Fprintln(os.Stderr, "loadclient: first call:", err)
			os.Exit(1)
		}
	}
	latencies := make([]float64, *calls)
	codes := make([]string, *calls)
	var next, received atomic.Int64
	var group sync.WaitGroup
	began := time.Now()
	for caller := 0; caller < *concurrency; caller++ {
		group.Add(1)
		go func(conn *grpc.ClientConn) {
			defer group.Done()
			var response []byte
			for {
				index := int(next.Add(1) - 1)
				if index >= *calls {
					return
				}
				sent := time.Now()
				err := invoke(conn, requests[index%len(requests)], &response)
				latencies[index] = float64(time.Since(sent).Microseconds()) / 1000
				if err != nil {
					codes[index] = status.Code(err).String()
				} else {
					received.Add(int64(len(response)))
				}
			}
		}(conns[caller%len(conns)])
	}
	group.Wait()
	out := report{WallS: time.Since(began).Seconds(), Errors: map[string]int{}, ResponseBytes: received.Load()}
	for i, code := range codes {
		if code == "" {
			out.LatenciesMs = append(out.LatenciesMs, latencies[i])
		} else {
			out.Errors[code]++
		}
	}
	if err := json.NewEncoder(os.Stdout).Encode(out); err != nil {
		fmt.Fprintln(os.Stderr, "loadclient: write:", err)
		os.Exit(1)
	}
}
