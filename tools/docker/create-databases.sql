CREATE DATABASE ferry_source;
CREATE DATABASE ferry_target;
