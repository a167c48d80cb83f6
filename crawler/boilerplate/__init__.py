"""Boilerplate recognised by what blocks say (appeals) and by how they recur across articles (learning)."""
