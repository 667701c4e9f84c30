"""The example application: serves its static folder through nginx."""

print("myapp")
