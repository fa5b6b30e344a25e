package server

// routes is the whole route table.
func (s *Server) routes() {
	e := s.echo
	e.GET("/healthz", s.handleHealthz)
	e.GET("/readyz", s.handleReadyz)
	e.GET("/metrics", s.handleMetrics)
	e.GET("/static/*", s.handleStatic)
	e.GET("/favicon.ico", s.handleFavicon)
	e.GET("/", s.handleHome)
	e.GET("/bilateral", s.handleBilateralPage)
	e.GET("/api/v1/bilateral", s.handleBilateralAPI)
	e.GET("/data/bilateral.csv", s.handleBilateralData)
	e.GET("/data/bilateral.xlsx", s.handleBilateralData)
	e.GET("/mirror", s.handleMirrorPage)
	e.GET("/api/v1/mirror", s.handleMirrorAPI)
	e.GET("/partners", s.handlePartnersPage)
	e.GET("/api/v1/partners", s.handlePartnersAPI)
	e.GET("/data/partners.csv", s.handlePartnersData)
	e.GET("/data/partners.xlsx", s.handlePartnersData)
}
