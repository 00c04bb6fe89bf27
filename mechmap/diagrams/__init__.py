"""Pictures of a map and other tools' formats: Graphviz rendering, the offline HTML viewer,
teaching slides, and exports to and imports from Mermaid, DAGitty, GraphML, JSON and pgmpy."""
